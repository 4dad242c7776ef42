import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from content_library.models import Post
from guidelines.models import Acknowledgement, GuidelineDocument, GuidelineVersion
from sharing.models import Share
from sharing.visitors import SHARER_COOKIE

from .conftest import make_post, make_share

GOOD_CAPTION = "Proud of the team: the new app is out! #employee"


def _share(client, post, network="linkedin", caption=GOOD_CAPTION, **extra):
    return client.post(
        reverse("sharing:share", kwargs={"slug": post.slug}), {"network": network, "caption": caption, **extra}
    )


def _intent(client, response):
    """Follow a successful share to our hand-off page and read where it forwards the browser."""
    assert response.status_code == 303
    page = client.get(response["Location"])
    assert page.status_code == 200
    match = re.search(r"<meta http-equiv=\"refresh\" content=\"0; url='(.*?)'\">", page.content.decode())
    assert match, "the hand-off page does not forward"
    return html.unescape(match.group(1))


@pytest.fixture
def policy(db):
    document = GuidelineDocument.objects.create(kind=GuidelineDocument.Kind.POLICY, title="Policy", slug="policy")
    return GuidelineVersion.objects.create(document=document, number=1, body="Be kind.", is_major=True)


@pytest.mark.django_db
class TestShare:
    def test_it_records_the_share_and_sends_the_employee_to_the_network(self, client, alice, post, policy, settings):
        Acknowledgement.objects.create(user=alice, version=policy, acknowledged_at=timezone.now())
        client.force_login(alice)
        response = _share(client, post)
        share = Share.objects.get()
        assert response.cookies[SHARER_COOKIE]["path"] == "/s/"
        link = f"{settings.SITE_URL}/s/{share.code}"
        target = urlsplit(_intent(client, response))
        assert (target.scheme, target.netloc, target.path) == ("https", "www.linkedin.com", "/feed/")
        assert parse_qs(target.query)["text"] == [f"{GOOD_CAPTION}\n\n{link}"]
        assert (share.user, share.post, share.network, share.caption) == (alice, post, "linkedin", GOOD_CAPTION)
        assert share.policy_version == policy
        assert share.sharer_visitor_hash

    def test_sharing_again_reuses_the_link_and_counts_once(self, client, alice, post):
        client.force_login(alice)
        first = _intent(client, _share(client, post))
        second = _intent(client, _share(client, post, caption=GOOD_CAPTION + " Again!"))
        share = Share.objects.get()
        assert share.code in first and share.code in second
        assert (share.times_shared, share.caption) == (2, GOOD_CAPTION + " Again!")
        _share(client, post, network="x")
        assert Share.objects.count() == 2
        assert Share.objects.filter(network="x").get().code != share.code

    def test_a_caption_breaking_the_guidelines_is_refused_and_kept(self, client, alice, post):
        client.force_login(alice)
        response = _share(client, post, network="x", caption="My own words, no disclosure")
        assert response.status_code == 400
        assert not Share.objects.exists()
        html = response.content.decode()
        assert "Add #employee" in html
        assert "My own words, no disclosure" in html
        assert re.search(r'value="x" data-caption="[^"]*" data-takes-text="yes" checked', html)

    def test_it_asks_for_the_policy_acknowledgement_first(self, client, alice, post, policy, settings):
        settings.GUIDELINES_REQUIRE_ACKNOWLEDGEMENT = True
        client.force_login(alice)
        response = _share(client, post)
        assert response.status_code == 302
        expected_next = reverse("content_library:post_detail", kwargs={"slug": post.slug})
        location = urlsplit(response["Location"])
        assert location.path == reverse("guidelines:acknowledge")
        assert parse_qs(location.query)["next"] == [expected_next]
        assert not Share.objects.exists()
        Acknowledgement.objects.create(user=alice, version=policy, acknowledged_at=timezone.now())
        assert _share(client, post).status_code == 303

    def test_the_hand_off_page_forwards_only_right_after_sharing(self, client, alice, post):
        client.force_login(alice)
        _share(client, post, network="facebook")
        share = Share.objects.get()
        later = client.get(reverse("sharing:share_open", kwargs={"share_id": share.pk}))
        content = later.content.decode()
        assert "http-equiv" not in content
        assert "https://www.facebook.com/sharer/sharer.php?u=" in content
        assert "takes no prefilled text" in content
        forged = client.get(reverse("sharing:share_open", kwargs={"share_id": share.pk}) + "?go=1:forged")
        assert "http-equiv" not in forged.content.decode()

    def test_mastodon_asks_for_the_handle_and_opens_the_employees_instance(self, client, alice, post):
        client.force_login(alice)
        refused = _share(client, post, network="mastodon")
        assert refused.status_code == 400
        assert "Mastodon handle" in refused.content.decode()
        response = _share(client, post, network="mastodon", mastodon_handle="@alice@fosstodon.org")
        assert _intent(client, response).startswith("https://fosstodon.org/share?text=")
        alice.refresh_from_db()
        assert alice.mastodon_handle == "@alice@fosstodon.org"

    def test_a_malformed_mastodon_handle_is_refused_clearly(self, client, alice, post):
        client.force_login(alice)
        response = _share(client, post, network="mastodon", mastodon_handle="not a handle")
        assert response.status_code == 400
        assert "@name@instance.example" in response.content.decode()

    def test_email_opens_a_mail_with_subject_and_body(self, client, alice, post):
        client.force_login(alice)
        response = _share(client, post, network="email")
        assert _intent(client, response).startswith("mailto:?subject=We%20launched")

    def test_email_body_line_breaks_are_crlf(self, client, alice, post):
        client.force_login(alice)
        response = _share(client, post, network="email", caption=f"First line\r\n{GOOD_CAPTION}")
        body = _intent(client, response).split("body=", 1)[1]
        assert body.startswith("First%20line%0D%0AProud")
        assert "%0A" not in body.replace("%0D%0A", "")

    def test_the_email_limit_is_the_counters_limit(self, client, alice, post):
        # Seen: the counter said 10,000 for email, the form refused anything over 3,000.
        client.force_login(alice)
        long = "a" * 5000 + " " + GOOD_CAPTION
        assert _share(client, post, network="email", caption=long).status_code == 303
        too_long = "a" * 10000 + " " + GOOD_CAPTION
        response = _share(client, post, network="email", caption=too_long)
        assert response.status_code == 400
        assert "Too long for Email" in response.content.decode()
        assert "of 10,000 characters" in response.content.decode()

    def test_an_unknown_network_is_a_clear_error(self, client, alice, post):
        client.force_login(alice)
        response = _share(client, post, network="myspace")
        assert response.status_code == 400
        assert "not one of the available choices" in response.content.decode()

    def test_a_post_aimed_at_another_team_cannot_be_shared(self, client, bob, post, engineering):
        post.target_everyone = False
        post.save()
        post.target_teams.set([engineering])
        client.force_login(bob)
        assert _share(client, post).status_code == 404
        assert not Share.objects.exists()


@pytest.mark.django_db
class TestPostDetailPanel:
    def test_the_post_page_offers_every_network_and_the_image_download(self, client, alice, post):
        client.force_login(alice)
        html = client.get(reverse("content_library:post_detail", kwargs={"slug": post.slug})).content.decode()
        assert f'action="{reverse("sharing:share", kwargs={"slug": post.slug})}"' in html
        for network in ("linkedin", "x", "facebook", "mastodon", "bluesky", "threads", "email"):
            assert f'name="network" value="{network}"' in html
        assert "js/share_panel.js" in html
        assert "Your Mastodon handle" in html

    def test_the_caption_starts_with_what_every_share_must_carry(self, client, alice, policy):
        post = make_post(hashtags="#Launch", suggested_caption="Proud of the team")
        client.force_login(alice)
        html = client.get(reverse("content_library:post_detail", kwargs={"slug": post.slug})).content.decode()
        assert "Proud of the team #Launch #employee</textarea>" in html


@pytest.mark.django_db
class TestMyActivity:
    def test_it_lists_my_shares_with_human_clicks_only(self, client, alice, bob, post):
        mine = make_share(user=alice, post=post, human_clicks=7)
        make_share(user=bob, post=post, code="BobShare1", human_clicks=99)
        client.force_login(alice)
        response = client.get(reverse("sharing:my_activity"))
        html = response.content.decode()
        assert response.status_code == 200
        assert "1 share, 7 human clicks" in html
        assert f"/s/{mine.code}" in html and "BobShare1" not in html
        assert response.cookies[SHARER_COOKIE].value

    def test_it_shows_the_latest_engagement_of_a_published_post(self, client, alice, post):
        from metrics.models import ShareMetrics

        # Mastodon reports reposts (LinkedIn does not) and no impressions.
        share = make_share(user=alice, post=post, network="mastodon", human_clicks=2)
        ShareMetrics.objects.create(
            share=share,
            network=share.network,
            post_id="123",
            published_at=share.created_at,
            likes=12,
            reposts=3,
            replies=1,
        )
        client.force_login(alice)
        html = client.get(reverse("sharing:my_activity")).content.decode()
        assert "12 likes · 3 reposts · 1 replies · – impressions" in html
        assert reverse("metrics:share_history", kwargs={"share_id": share.pk}) in html

    def test_its_query_count_does_not_grow_with_shares(self, client, alice, django_assert_num_queries):
        client.force_login(alice)

        def shares(count, start):
            for index in range(start, start + count):
                post = make_post(slug=f"post-{index}")
                make_share(user=alice, post=post, code=f"Code{index:05d}")

        # session, user, the user's own and group permissions (navigation), the library's "new" badge count,
        # the totals (shares and clicks, also the pager's count), the page of shares with their posts and metrics
        shares(2, 0)
        # +1: the organisation's branding that every page's header reads (cached after the first page).
        with django_assert_num_queries(8):
            client.get(reverse("sharing:my_activity"))
        shares(40, 2)
        with django_assert_num_queries(7):
            response = client.get(reverse("sharing:my_activity"))
        assert response.content.decode().count("<tr id=") == 25
        with django_assert_num_queries(7):
            response = client.get(reverse("sharing:my_activity"), {"page": 2})
        assert response.content.decode().count("<tr id=") == 17

    def test_it_pages_25_shares_with_the_totals_of_all_of_them(self, client, alice):
        for index in range(30):
            make_share(user=alice, post=make_post(slug=f"post-{index}"), code=f"Page{index:05d}", human_clicks=2)
        client.force_login(alice)
        first = client.get(reverse("sharing:my_activity")).content.decode()
        assert "30 shares, 60 human clicks" in first and "Page 1 of 2" in first
        assert "Page00029" in first and "Page00004" not in first  # newest first
        second = client.get(reverse("sharing:my_activity"), {"page": "2"}).content.decode()
        assert "30 shares, 60 human clicks" in second and "Page00004" in second and "Page00005" not in second
        assert client.get(reverse("sharing:my_activity"), {"page": "nonsense"}).status_code == 200

    def test_a_refused_published_url_on_page_two_is_shown_on_page_two(self, client, alice):
        shares = [
            make_share(user=alice, post=make_post(slug=f"post-{index}"), code=f"Page{index:05d}") for index in range(27)
        ]
        oldest = shares[0]
        client.force_login(alice)
        page = client.get(reverse("sharing:my_activity"), {"page": 2}).content.decode()
        action = reverse("sharing:published_url", kwargs={"share_id": oldest.pk}) + "?page=2"
        assert f'action="{action}"' in page
        bad = client.post(action, {"url": "https://x.com/alice/status/1"})
        assert bad.status_code == 400 and "not a LinkedIn post URL" in bad.content.decode()
        assert f'id="share-{oldest.pk}"' in bad.content.decode()
        good = "https://www.linkedin.com/feed/update/urn:li:activity:7123456789012345678/"
        response = client.post(action, {"url": good})
        assert response.status_code == 302 and response.url == reverse("sharing:my_activity") + "?page=2"

    def test_the_published_post_url_is_checked_and_kept(self, client, alice, share):
        client.force_login(alice)
        url = reverse("sharing:published_url", kwargs={"share_id": share.pk})
        bad = client.post(url, {"url": "https://x.com/alice/status/1"})
        assert bad.status_code == 400
        assert "not a LinkedIn post URL" in bad.content.decode()
        assert "https://x.com/alice/status/1" in bad.content.decode()
        good = "https://www.linkedin.com/feed/update/urn:li:activity:7123456789012345678/"
        assert client.post(url, {"url": good}).status_code == 302
        share.refresh_from_db()
        assert (share.published_url, share.published_post_id) == (good, "urn:li:activity:7123456789012345678")

    def test_nobody_records_a_url_on_someone_elses_share(self, client, bob, share):
        client.force_login(bob)
        url = reverse("sharing:published_url", kwargs={"share_id": share.pk})
        assert (
            client.post(url, {"url": "https://www.linkedin.com/feed/update/urn:li:activity:1234567/"}).status_code
            == 404
        )


@pytest.mark.django_db
class TestLanding:
    def test_it_has_open_graph_and_twitter_card_tags_with_absolute_urls(self, client, alice, settings):
        from django.core.files.base import ContentFile
        from PIL import Image

        from content_library.models import PostImage

        post = make_post(slug="culture", destination_url="")
        buffer = __import__("io").BytesIO()
        Image.new("RGB", (1200, 627), "teal").save(buffer, "JPEG")
        PostImage.objects.create(
            post=post, alt_text="The team on launch day", image=ContentFile(buffer.getvalue(), name="launch.jpg")
        )
        share = make_share(user=alice, post=post, code="Land00001")
        html = client.get(reverse("sharing:landing", kwargs={"code": share.code})).content.decode()
        assert '<meta property="og:title" content="We launched the new app">' in html
        assert f'<meta property="og:url" content="{settings.SITE_URL}/p/Land00001/">' in html
        assert f'<meta property="og:image" content="{settings.SITE_URL}/media/' in html
        assert '<meta property="og:image:alt" content="The team on launch day">' in html
        assert '<meta name="twitter:card" content="summary_large_image">' in html
        assert '<meta property="og:description" content="Look at this">' in html

    def test_expired_posts_get_the_friendly_page(self, client, alice):
        post = make_post(slug="old", destination_url="", expires_at=timezone.now() - timedelta(hours=1))
        share = make_share(user=alice, post=post, code="Old000001")
        assert client.get(reverse("sharing:landing", kwargs={"code": share.code})).status_code == 410

    def test_unknown_codes_get_404(self, client):
        assert client.get(reverse("sharing:landing", kwargs={"code": "Nope00000"})).status_code == 404
        assert Post.objects.count() == 0


def test_my_activity_shows_a_dash_for_figures_the_network_does_not_report_as_the_api_does(client, alice, post):
    from metrics.models import ShareMetrics

    share = make_share(user=alice, post=post, network="linkedin")
    # A stray stored value for a figure LinkedIn never reports must not show as a number.
    ShareMetrics.objects.create(
        share=share,
        network="linkedin",
        post_id="urn:li:share:1",
        published_at=share.created_at,
        likes=7,
        replies=2,
        reposts=0,
        impressions=0,
    )
    client.force_login(alice)
    page = html.unescape(client.get(reverse("sharing:my_activity")).content.decode())
    assert "7 likes · – reposts · 2 replies · – impressions" in page
    api = client.get(reverse("sharing:api_share_list")).json()
    rows = api["results"] if isinstance(api, dict) else api
    assert rows[0]["metrics"] == {"likes": 7, "reposts": None, "replies": 2, "quotes": None, "impressions": None}


@pytest.mark.django_db
class TestShareOnce:
    def test_the_same_form_sent_twice_shares_once_and_both_answers_open_the_network(self, client, alice, post):
        client.force_login(alice)
        first = _share(client, post, submission="form-token-1")
        second = _share(client, post, submission="form-token-1")
        assert first.status_code == second.status_code == 303
        share = Share.objects.get()
        assert share.times_shared == 1
        assert share.code in _intent(client, second)

    def test_a_new_form_or_a_new_caption_is_a_new_share(self, client, alice, post):
        client.force_login(alice)
        _share(client, post, submission="form-token-1")
        _share(client, post, submission="form-token-1", caption=GOOD_CAPTION + " Edited.")
        _share(client, post, submission="form-token-2", caption=GOOD_CAPTION + " Edited.")
        assert Share.objects.get().times_shared == 3

    def test_every_rendered_panel_carries_a_fresh_token(self, client, alice, post):
        client.force_login(alice)
        url = reverse("content_library:post_detail", kwargs={"slug": post.slug})
        tokens = [
            re.search(r'name="submission" value="([^"]+)"', client.get(url).content.decode()).group(1) for _ in range(2)
        ]
        assert tokens[0] != tokens[1] and len(tokens[0]) >= 16


@pytest.mark.django_db
class TestCaptionKeptThroughAcknowledgement:
    def test_the_caption_typed_before_acknowledging_comes_back_in_the_panel(
        self, client, alice, post, policy, settings
    ):
        settings.GUIDELINES_REQUIRE_ACKNOWLEDGEMENT = True
        client.force_login(alice)
        typed = "My very own words about the launch #employee"
        response = _share(client, post, network="bluesky", caption=typed)
        assert urlsplit(response["Location"]).path == reverse("guidelines:acknowledge")
        client.post(reverse("guidelines:acknowledge"), {"version": policy.pk})
        page = client.get(reverse("content_library:post_detail", kwargs={"slug": post.slug})).content.decode()
        assert f">{typed}</textarea>" in page
        assert re.search(r'value="bluesky" data-caption="[^"]*" data-takes-text="yes" checked', page)
        # Only once: the next visit starts from the suggestion again.
        again = client.get(reverse("content_library:post_detail", kwargs={"slug": post.slug})).content.decode()
        assert f">{typed}</textarea>" not in again

    def test_a_draft_for_another_post_is_not_shown_here(self, client, alice, post, policy, settings):
        settings.GUIDELINES_REQUIRE_ACKNOWLEDGEMENT = True
        other = make_post(slug="other-post")
        client.force_login(alice)
        _share(client, post, caption="Words for the first post #employee")
        page = client.get(reverse("content_library:post_detail", kwargs={"slug": other.slug})).content.decode()
        assert "Words for the first post" not in page


@pytest.mark.django_db
class TestSharePanelPreview:
    def _page(self, client, post):
        return client.get(reverse("content_library:post_detail", kwargs={"slug": post.slug})).content.decode()

    def test_only_the_chosen_networks_fields_and_card_show(self, client, alice, post):
        client.force_login(alice)
        page = self._page(client, post)
        assert re.search(r"data-mastodon-handle hidden", page), "LinkedIn is chosen: no Mastodon handle"
        assert re.search(r"data-no-text-note hidden", page)
        cards = dict(re.findall(r'data-share-preview="(\w+)" data-link="[^"]*"( hidden)?', page))
        assert cards == {"linkedin": "", "x": " hidden", "facebook": " hidden", "mastodon": " hidden",
                         "bluesky": " hidden", "threads": " hidden", "email": " hidden"}  # fmt: skip

    def test_each_card_counts_the_caption_as_its_network_does(self, client, alice, settings):
        from advocacy.counting import counts_as_shared

        caption = "Launch day 🎉 #employee"
        post = make_post(suggested_caption=caption)
        client.force_login(alice)
        page = self._page(client, post)
        counts = counts_as_shared(caption)
        assert counts["x"]["count"] != counts["linkedin"]["count"], "the emoji counts double on X"
        assert counts["threads"]["count"] == counts["bluesky"]["count"] + 3 - 1, "🎉 is 4 UTF-8 bytes on Threads"
        for network, label in (("x", "X"), ("linkedin", "LinkedIn"), ("bluesky", "Bluesky"), ("threads", "Threads")):
            expected = f"{counts[network]['count']} / {counts[network]['limit']} characters, counted as {label}"
            assert expected in page

    def test_each_card_shows_the_rendition_its_network_uses(self, client, alice, post):
        from content_library.services import post_image_make_renditions
        from tests.content_library.factories import PostImageFactory

        image = PostImageFactory(post=post)
        post_image_make_renditions(image_id=image.pk)
        image.refresh_from_db()
        client.force_login(alice)
        page = self._page(client, post)
        card_images = dict(re.findall(r'data-share-preview="(\w+)".*?<img src="([^"]+)"', page, flags=re.S))
        assert card_images["linkedin"].endswith(image.renditions["1200x627"].rsplit("/", 1)[-1])
        assert card_images["mastodon"].endswith(image.renditions["1600x900"].rsplit("/", 1)[-1])
        assert card_images["threads"].endswith(image.renditions["1200x627"].rsplit("/", 1)[-1])
