"""Pasting the published post: one parser for form, API and metrics; one share per post; states shown."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import escape
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.providers import InvalidPostUrl, provider_for
from sharing.models import Verification
from sharing.published_posts import mentions_share_link, published_post_parse
from sharing.services import share_record_published_url, share_verification_record
from tests.sharing.conftest import make_post, make_share

INSTANCE = "mastodon.example"
TWEET = "1858462091736784915"
URN = "urn:li:activity:7264960311447789568"
# (network, pasted URL, the post id it names, or None with a fragment of the refusal).
URL_FORMS = [
    ("x", f"https://x.com/alice/status/{TWEET}", TWEET, None),
    ("x", f"https://x.com/alice/status/{TWEET}/", TWEET, None),
    ("x", f"https://twitter.com/alice/status/{TWEET}/photo/1", TWEET, None),
    ("x", f"https://twitter.com/alice/status/{TWEET}/video/1", TWEET, None),
    ("x", f"https://mobile.twitter.com/alice/status/{TWEET}?s=20&t=abc", TWEET, None),
    ("x", f"https://www.x.com/Alice_Archer/statuses/{TWEET}", TWEET, None),
    ("x", f"https://x.com/i/web/status/{TWEET}", TWEET, None),
    ("x", f"https://x.com/i/status/{TWEET}", TWEET, None),
    ("x", f"https://x.com/alice/status/0{TWEET}", TWEET, None),
    ("x", f"https://x.com/alice/status/{TWEET}/photo/9", None, "single X post"),
    ("x", f"https://x.com/alice/status/{TWEET}/anything/else", None, "single X post"),
    ("x", "https://x.com/alice", None, "single X post"),
    ("x", f"http://x.com/alice/status/{TWEET}", None, "not an X post URL"),
    ("x", f"https://nitter.example/alice/status/{TWEET}", None, "not an X post URL"),
    ("x", f"https://x.com.evil.example/alice/status/{TWEET}", None, "not an X post URL"),
    ("x", f"https://x.com:8443/alice/status/{TWEET}", None, "unusual address"),
    ("x", f"https://me@x.com/alice/status/{TWEET}", None, "unusual address"),
    ("linkedin", f"https://www.linkedin.com/feed/update/{URN}/", URN, None),
    ("linkedin", f"https://linkedin.com/feed/update/{URN}", URN, None),
    ("linkedin", "https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7264960311447789000/", None, None),
    ("linkedin", f"https://www.linkedin.com/embed/feed/update/{URN}", URN, None),
    ("linkedin", "https://uk.linkedin.com/posts/alice_launch-activity-7264960311447789568-abcd", URN, None),
    ("linkedin", "https://lnkd.in/eXaMpLe", None, "shortened link (lnkd.in), which does not say which post"),
    ("linkedin", "https://www.linkedin.com/in/alice-archer/", None, "single LinkedIn post"),
    ("linkedin", f"http://www.linkedin.com/feed/update/{URN}/", None, "not a LinkedIn post URL"),
    ("mastodon", f"https://{INSTANCE}/@alice/113409218826377651", "113409218826377651", None),
    ("mastodon", f"https://{INSTANCE}/@alice@{INSTANCE}/113409218826377651", "113409218826377651", None),
    ("mastodon", f"https://{INSTANCE}/users/alice/statuses/113409218826377651", "113409218826377651", None),
    ("mastodon", f"https://{INSTANCE}/web/statuses/113409218826377651", "113409218826377651", None),
    ("mastodon", f"https://{INSTANCE}/@alice@fosstodon.example/1134", None, "your own server"),
    ("mastodon", f"https://{INSTANCE}/@alice", None, "single Mastodon post"),
    ("mastodon", f"http://{INSTANCE}/@alice/1134", None, "https://"),
    ("bluesky", "https://bsky.app/profile/alice.bsky.social/post/3lb2tq7xhrc2k", None, None),
    ("bluesky", "https://bsky.app/profile/@Alice.Bsky.Social/post/3lb2tq7xhrc2k/", None, None),
    ("bluesky", "https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur/post/3lb2tq7xhrc2k", None, None),
    ("bluesky", "https://bsky.app/profile/alice.bsky.social/post/3lb2tq7xhrc2k/likes", None, "single Bluesky post"),
    ("bluesky", "https://staging.bsky.app/profile/alice.bsky.social/post/3lb2tq7xhrc2k", None, "not a Bluesky"),
    ("bluesky", "https://bsky.app/profile/did:plc:short/post/3lb2tq7xhrc2k", None, "valid DID"),
    ("threads", "https://www.threads.com/@alice.archer/post/C8aBcDeFgHi", "C8aBcDeFgHi", None),
    ("threads", "https://www.threads.net/@alice_archer/post/C8aBcDeFgHi/?xmt=AQGz", "C8aBcDeFgHi", None),
    ("threads", "https://threads.com/@alice/post/DBx-_9aZq1M/media", "DBx-_9aZq1M", None),
    ("threads", "https://www.threads.com/@alice", None, "single Threads post"),
    ("threads", "https://www.instagram.com/p/C8aBcDeFgHi/", None, "not a Threads post"),
    ("mastodon", "https://www.threads.com/@alice/post/C8aBcDeFgHi", None, "Threads link, not a Mastodon"),
]


def _decision(network, url, instance=INSTANCE):
    """What the one parser says: ("ok", post id) or ("refused", message)."""
    try:
        published = published_post_parse(network=network, url=url, mastodon_instance=instance)
    except ValidationError as exc:
        return ("refused", " ".join(exc.messages))
    return ("ok", published.post_id)


@pytest.mark.parametrize(("network", "url", "post_id", "refusal"), URL_FORMS)
def test_the_parser_accepts_and_refuses_each_url_form(network, url, post_id, refusal):
    outcome, said = _decision(network, url)
    if refusal is None:
        assert outcome == "ok", said
        if post_id:
            assert said == post_id
    else:
        assert outcome == "refused"
        assert refusal in said


@pytest.mark.parametrize(("network", "url", "post_id", "refusal"), URL_FORMS)
def test_the_metrics_provider_decides_every_url_form_as_the_paste_does(network, url, post_id, refusal):
    outcome, said = _decision(network, url)
    try:
        ref = provider_for(network).parse_url(url)
    except InvalidPostUrl as exc:
        assert (outcome, said) == ("refused", str(exc))
    else:
        assert (outcome, said) == ("ok", ref.post_id)


@pytest.mark.django_db
def test_the_form_and_the_api_decide_every_url_form_as_the_parser_does(client, alice):
    alice.mastodon_handle = f"@alice@{INSTANCE}"
    alice.save()
    client.force_login(alice)
    for index, (network, url, _, _) in enumerate(URL_FORMS):
        outcome, said = _decision(network, url)
        for way in ("form", "api"):
            share = make_share(
                user=alice, post=make_post(slug=f"p-{way}-{index}"), network=network, code=f"C{way}{index:05d}"
            )
            if way == "form":
                response = client.post(reverse("sharing:published_url", kwargs={"share_id": share.pk}), {"url": url})
                accepted = response.status_code == 302
                shown = response.content.decode()
            else:
                target = reverse("sharing:api_share_published_url", kwargs={"share_id": share.pk})
                response = client.post(target, {"url": url}, "application/json")
                accepted = response.status_code == 200
                shown = " ".join(response.json().get("url", [])) if not accepted else ""
            share.refresh_from_db()
            assert accepted == (outcome == "ok"), (way, url, shown)
            if accepted:
                assert share.published_post_id == said
            else:
                assert share.published_url == ""
                assert (escape(said) if way == "form" else said) in shown, (way, url)
            # One post, one share: free the post for the next way of pasting it.
            share.delete()


def test_only_the_shares_own_tracked_or_landing_link_counts(settings):
    settings.SITE_URL = "https://advocacy.example"
    assert mentions_share_link(code="Abc123XYZ", texts=["Read <a href='https://advocacy.example/s/Abc123XYZ'>x</a>"])
    assert mentions_share_link(code="Abc123XYZ", texts=["", "advocacy.example/p/Abc123XYZ/"])
    assert not mentions_share_link(code="Abc123XYZ", texts=["https://advocacy.example/s/abc123xyz"])
    assert not mentions_share_link(code="Abc123XYZ", texts=["https://advocacy.example/s/Abc123XYZq"])
    assert not mentions_share_link(code="Abc123XYZ", texts=["https://elsewhere.example/s/Abc123XYZ"])


# --- one post, one share ------------------------------------------------------------------------------


@pytest.mark.django_db
class TestOnePostOneShare:
    URL = f"https://x.com/carol/status/{TWEET}"

    def test_a_post_another_person_claimed_is_refused_with_a_clear_message(self, client, alice, bob):
        share_record_published_url(share=make_share(user=alice, post=make_post(slug="a"), network="x"), url=self.URL)
        mine = make_share(user=bob, post=make_post(slug="b"), network="x", code="BobCode12")
        with pytest.raises(ValidationError, match="already linked to another share"):
            share_record_published_url(share=mine, url=f"https://twitter.com/i/web/status/{TWEET}/")
        mine.refresh_from_db()
        assert (mine.published_url, mine.published_post_key) == ("", "")
        client.force_login(bob)
        response = client.post(reverse("sharing:published_url", kwargs={"share_id": mine.pk}), {"url": self.URL})
        assert response.status_code == 400
        assert "already linked to another share" in response.content.decode()
        api = client.post(
            reverse("sharing:api_share_published_url", kwargs={"share_id": mine.pk}),
            {"url": self.URL},
            "application/json",
        )
        assert api.status_code == 400 and "already linked to another share" in api.json()["url"][0]

    def test_the_same_post_for_two_of_my_shares_names_the_other_share(self, alice):
        share_record_published_url(share=make_share(user=alice, post=make_post(slug="a"), network="x"), url=self.URL)
        second = make_share(user=alice, post=make_post(slug="b", title="Second post"), network="x", code="Second123")
        with pytest.raises(ValidationError, match="your share of “We launched the new app”"):
            share_record_published_url(share=second, url=self.URL)

    def test_the_database_refuses_a_second_share_of_one_post(self, alice, bob):
        make_share(user=alice, post=make_post(slug="a"), network="x", published_post_key=TWEET)
        with pytest.raises(IntegrityError), transaction.atomic():
            make_share(user=bob, post=make_post(slug="b"), network="x", code="BobCode12", published_post_key=TWEET)
        # Shares without a post are not a post.
        make_share(user=bob, post=make_post(slug="c"), network="x", code="BobCode13")
        make_share(user=bob, post=make_post(slug="d"), network="x", code="BobCode14")

    def test_pasting_the_same_post_again_keeps_its_verification(self, alice):
        share = make_share(user=alice, post=make_post(slug="a"), network="x")
        share_record_published_url(share=share, url=self.URL)
        share_verification_record(share_id=share.pk, post_key=TWEET, state=Verification.VERIFIED)
        share.refresh_from_db()
        share_record_published_url(share=share, url=f"{self.URL}?s=20")
        share.refresh_from_db()
        assert share.published_verification == Verification.VERIFIED


# --- the states, on My activity and in the API -----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "label", "advice"),
    [
        (Verification.VERIFYING, "Verifying", "We check the post with the network at its first pull"),
        (Verification.VERIFIED, "Verified", "earn points"),
        (Verification.NOT_YOURS, "Not yours", "Only your own posts earn points"),
        (Verification.LINK_MISSING, "Link missing", "Edit the post to include the link"),
        (Verification.UNVERIFIABLE, "Unverifiable for this network", "connected account"),
    ],
)
def test_my_activity_and_the_api_show_each_state_with_its_reason(client, alice, state, label, advice):
    from metrics.models import ShareMetrics

    share = make_share(
        user=alice,
        post=make_post(slug="p"),
        network="x",
        published_url=f"https://x.com/carol/status/{TWEET}",
        published_post_key=TWEET,
        published_verification=state,
        published_verification_detail="The post is by 42, not by @alice (your profile).",
    )
    ShareMetrics.objects.create(share=share, network="x", post_id=TWEET, published_at=share.created_at, likes=134)
    client.force_login(alice)
    html = client.get(reverse("sharing:my_activity")).content.decode()
    assert f'data-verification="{state}"' in html
    assert label in html and advice in html
    assert "The post is by 42, not by @alice (your profile)." in html
    assert "134 likes" in html  # the numbers stay, labelled
    assert ("not scored" in html) == (state != Verification.VERIFIED)
    api = client.get(reverse("sharing:api_share_list")).json()["results"][0]
    assert (api["verification"], api["verification_label"], api["scored"]) == (
        state,
        label,
        state == Verification.VERIFIED,
    )
    assert advice in api["verification_help"]


# --- property: any URL assembled from real-world parts is decided once, the same everywhere -------------

_HOSTS = [
    "x.com",
    "twitter.com",
    "mobile.twitter.com",
    "www.linkedin.com",
    "lnkd.in",
    INSTANCE,
    "bsky.app",
    "evil.example",
]
_PATHS = [
    f"/alice/status/{TWEET}",
    f"/i/web/status/{TWEET}",
    f"/alice/status/{TWEET}/photo/1",
    f"/feed/update/{URN}",
    "/posts/alice_launch-activity-7264960311447789568-abcd",
    "/@alice/113409218826377651",
    "/users/alice/statuses/113409218826377651",
    "/profile/alice.bsky.social/post/3lb2tq7xhrc2k",
    "/eXaMpLe",
    "/alice",
]


@given(
    network=st.sampled_from(["x", "linkedin", "mastodon", "bluesky"]),
    scheme=st.sampled_from(["https", "http"]),
    host=st.sampled_from(_HOSTS),
    path=st.sampled_from(_PATHS),
    slash=st.booleans(),
    query=st.sampled_from(["", "?s=20", "?utm_source=share&utm_medium=member_desktop"]),
    fragment=st.sampled_from(["", "#top"]),
    padding=st.sampled_from(["", " ", "\n"]),
)
@settings(max_examples=300, deadline=None)
def test_any_assembled_url_is_decided_the_same_by_paste_and_metrics_and_query_strings_do_not_matter(
    network, scheme, host, path, slash, query, fragment, padding
):
    url = f"{padding}{scheme}://{host}{path}{'/' if slash else ''}{query}{fragment}{padding}"
    # The metrics workers read a Mastodon status on the host it names; the paste also wants it on yours.
    outcome, said = _decision(network, url, instance=host)
    try:
        ref = provider_for(network).parse_url(url)
    except InvalidPostUrl as exc:
        assert (outcome, said) == ("refused", str(exc))
    else:
        assert (outcome, said) == ("ok", ref.post_id)
    if network == "mastodon" and host != INSTANCE and outcome == "ok":
        assert "not on your instance" in _decision(network, url)[1]
    outcome, said = _decision(network, url)
    # Tracking parameters and fragments never change which post it is, or whether it is one.
    bare = f"{scheme}://{host}{path}{'/' if slash else ''}"
    assert _decision(network, bare)[0] == outcome
    if outcome == "ok":
        assert _decision(network, bare)[1] == said
