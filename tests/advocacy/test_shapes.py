"""Hashtags and handles (issue 16): each token has its network's shape, checked in the services."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from advocacy.people.models import User
from advocacy.people.services import profile_update
from advocacy.shapes import (
    bluesky_handle_validate,
    disclosure_clean,
    hashtag_clean,
    hashtags_clean,
    linkedin_profile_url_validate,
    mastodon_handle_validate,
    x_handle_validate,
)

HOSTILE = [
    "<script>alert(1)</script>",
    "#a\tb",
    "#tag\x00",
    "#tag\u202e",
    "#a<b",
    "#a\nb",
    "#",
    "#a-b",
    "#a.b",
    "#\u200b",
]


@pytest.mark.parametrize(
    "tag", ["#Launch", "launch", "#日本語", "#café", "#Привет", "#مرحبا", "#हिन्दी", "#a_b_2026", "#ZWNJ\u200cok"]
)
def test_it_accepts_hashtags_in_any_script(tag):
    assert hashtag_clean(tag) == "#" + tag.removeprefix("#")


@pytest.mark.parametrize("tag", HOSTILE)
def test_it_refuses_markup_whitespace_and_control_characters_in_a_hashtag(tag):
    with pytest.raises(ValidationError) as refusal:
        hashtag_clean(tag)
    assert "hashtag" in refusal.value.messages[0]


def test_a_list_of_hashtags_is_normalised_to_single_spaces():
    assert hashtags_clean("#one\t two  #three") == "#one #two #three"
    with pytest.raises(ValidationError):
        hashtags_clean("#one <script>")


@pytest.mark.parametrize(
    ("validate", "good", "bad"),
    [
        (x_handle_validate, ["@jack", "jack_2", "A" * 15], ["a" * 16, "@jack\n", "ja ck", "<b>", "jäck", "@"]),
        (
            mastodon_handle_validate,
            ["@alice@fosstodon.org", "alice@mastodon.social", "a.b-c@xn--bcher-kva.example"],
            [
                "alice",
                "@alice@",
                "@al ice@x.org",
                "@alice@x.org\n",
                "<script>@x.org",
                "@alice@x.org/path",
                "@a@localhost",
            ],
        ),
        (
            bluesky_handle_validate,
            ["alice.bsky.social", "@example.com", "a-b.example.co.uk"],
            ["alice", "-a.bsky.social", "a..b.social", "alice.bsky.social\t", "<b>.com", "alice.bsky.123"],
        ),
        (
            linkedin_profile_url_validate,
            ["https://www.linkedin.com/in/alice", "https://linkedin.com/in/alice-archer-1/"],
            [
                "https://evil.example/in/alice",
                "javascript:alert(1)",
                "https://linkedin.com.evil.example/in/a",
                "https://www.linkedin.com/in/<script>",
                "https://user@www.linkedin.com/in/a",
            ],
        ),
    ],
)
def test_each_handle_follows_its_networks_grammar(validate, good, bad):
    for value in good:
        validate(value)
    for value in bad:
        with pytest.raises(ValidationError):
            validate(value)


def test_a_disclosure_may_be_words_but_not_markup():
    assert disclosure_clean("#employee") == "#employee"
    assert disclosure_clean("I work at Acme") == "I work at Acme"
    for bad in ("<b>#ad</b>", "#a\x07d", "#ad<script>"):
        with pytest.raises(ValidationError):
            disclosure_clean(bad)


@pytest.mark.django_db
def test_the_profile_service_refuses_bad_handles_with_a_clear_message(alice):
    for field, value in (
        ("x_handle", "bad\thandle"),
        ("mastodon_handle", "<script>@evil.example"),
        ("bluesky_handle", "alice.bsky.social<script>"),
        ("linkedin_profile_url", "https://evil.example/in/alice"),
    ):
        with pytest.raises(ValidationError) as refusal:
            profile_update(user=alice, **{field: value})
        assert field in refusal.value.message_dict and refusal.value.message_dict[field][0].startswith("Enter your")
    alice.refresh_from_db()
    assert (alice.x_handle, alice.mastodon_handle, alice.bluesky_handle) == ("", "", "")
    profile_update(user=alice, x_handle=" @alice ", bluesky_handle="alice.bsky.social")
    alice.refresh_from_db()
    assert (alice.x_handle, alice.bluesky_handle) == ("@alice", "alice.bsky.social")


@pytest.mark.django_db
def test_the_api_and_the_admin_apply_the_same_grammar(client, alice):
    client.force_login(alice)
    response = client.patch(
        reverse("people:api_me"), {"bluesky_handle": "<b>x</b>.com"}, content_type="application/json"
    )
    assert response.status_code == 400 and "bluesky_handle" in response.json()
    # The admin's change form validates through the model, which holds the same validators.
    alice.mastodon_handle = "@alice@evil.example\t"
    with pytest.raises(ValidationError) as refusal:
        alice.full_clean(exclude=["password"])
    assert "mastodon_handle" in refusal.value.message_dict
    assert User.objects.get(pk=alice.pk).mastodon_handle == ""


@pytest.mark.django_db
def test_post_and_campaign_hashtags_are_checked_in_the_services(casey):
    from content_library.services import campaign_create, campaign_update, post_create, post_update

    with pytest.raises(ValidationError) as refusal:
        post_create(actor=casey, title="Launch", hashtags="#launch <script>alert(1)</script>")
    assert "hashtags" in refusal.value.message_dict
    post = post_create(actor=casey, title="Launch", hashtags="#launch\tgrowth")
    assert post.hashtags == "#launch #growth"
    with pytest.raises(ValidationError):
        post_update(post=post, actor=casey, hashtags="#ok #a\x00b")
    with pytest.raises(ValidationError) as refusal:
        campaign_create(actor=casey, name="Spring", hashtag="#Spring\t<script>")
    assert "hashtag" in refusal.value.message_dict
    campaign = campaign_create(actor=casey, name="Spring", hashtag="#Frühling")
    with pytest.raises(ValidationError):
        campaign_update(campaign=campaign, actor=casey, hashtag="#<img>")


@pytest.mark.django_db
def test_disclosures_are_checked_in_the_guidelines_service():
    from guidelines.services import portal_settings_update

    with pytest.raises(ValidationError) as refusal:
        portal_settings_update(disclosure="<script>#ad")
    assert "disclosure" in refusal.value.message_dict
    assert portal_settings_update(reward_draw_disclosure="#ad\t").reward_draw_disclosure == "#ad"


@pytest.mark.django_db
def test_the_admin_refuses_a_hostile_campaign_or_post_hashtag(admin_client):
    from content_library.models import Campaign

    response = admin_client.post(
        reverse("admin:content_library_campaign_add"),
        {"name": "Spring", "slug": "spring", "hashtag": "#Spring<script>", "description": ""},
    )
    assert response.status_code == 200 and "is not a hashtag" in response.content.decode()
    assert not Campaign.objects.exists()
    from content_library.models import Post

    post = Post(title="T", slug="t", hashtags="#ok\t#b<img>")
    with pytest.raises(ValidationError) as refusal:
        post.full_clean()
    assert "hashtags" in refusal.value.message_dict
