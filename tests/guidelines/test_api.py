import pytest
from django.urls import reverse

from advocacy.networks import tracked_link_placeholder
from guidelines.models import Acknowledgement
from tests.content_library.factories import PostFactory

from .factories import make_brand_guide, make_policy

pytestmark = pytest.mark.django_db


def _check(client, **data):
    return client.post(reverse("guidelines:api_caption_check"), data, content_type="application/json")


def test_the_check_endpoint_returns_problems_counts_and_the_nudge(client, alice, post, banned):
    client.force_login(alice)
    response = _check(client, post=post.pk, network="x", caption="Guaranteed returns! #Launch")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is False
    assert [(p["code"], p["term"]) for p in body["problems"]] == [
        ("banned_term", "guaranteed returns"),
        ("missing_hashtag", "#Acme"),
        ("missing_disclosure", "#employee"),
    ]
    assert body["problems"][0]["reason"] == banned.reason
    assert body["counts"]["x"] == {"count": 27 + 1 + 23, "limit": 280, "over": False}  # with the tracked link
    assert set(body["counts"]) == {"linkedin", "x", "facebook", "mastodon", "bluesky", "threads", "email"}
    assert body["unchanged_from_suggestion"] is False
    nudge = _check(client, post=post.pk, network="linkedin", caption=post.suggested_caption).json()
    assert nudge["ok"] is True and nudge["unchanged_from_suggestion"] is True


def test_the_check_endpoint_hides_posts_the_employee_may_not_see(client, alice, bob):
    client.force_login(alice)
    hidden = PostFactory(target_teams=[bob.team])
    draft = PostFactory(status="draft")
    assert _check(client, post=hidden.pk, network="x", caption="hi").status_code == 404
    assert _check(client, post=draft.pk, network="x", caption="hi").status_code == 404
    assert _check(client, post=999999, network="x", caption="hi").status_code == 404


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"network": "x", "caption": "hi"}, "post"),
        ({"post": "abc", "network": "x", "caption": "hi"}, "post"),
        ({"post": 1, "network": "myspace", "caption": "hi"}, "network"),
        ({"post": 1, "network": "x"}, "caption"),
        ({"post": 1, "network": "x", "caption": "a" * 70_001}, "caption"),
    ],
)
def test_bad_check_input_gets_400_with_field_messages(client, alice, data, field):
    client.force_login(alice)
    response = _check(client, **data)
    assert response.status_code == 400 and field in response.json()


def test_the_check_endpoint_needs_the_csrf_token_from_a_browser(alice, post):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert _check(browser, post=post.pk, network="x", caption="hi").status_code == 403


def test_read_current_guidelines_and_rules(client, alice, banned):
    make_policy(versions=2)
    make_brand_guide()
    client.force_login(alice)
    guidelines = client.get(reverse("guidelines:api_guidelines")).json()
    assert [(g["slug"], g["version"]) for g in guidelines] == [("social-media-policy", 2), ("brand-style-guide", 1)]
    assert "<h2" in guidelines[0]["body_html"] and guidelines[0]["change_summary"] == "Added topics to avoid."
    rules = client.get(reverse("guidelines:api_rules")).json()
    assert rules["banned_terms"] == [{"term": "guaranteed returns", "reason": banned.reason}]
    assert rules["disclosure"] == "#employee" and rules["reward_draw_disclosure"] == "#ad"
    assert rules["length_limits"]["x"] == 280 and rules["length_limits"]["bluesky"] == 300


def test_acknowledge_through_the_api(client, alice):
    policy = make_policy(versions=2)
    client.force_login(alice)
    url = reverse("guidelines:api_acknowledgement")
    status = client.get(url).json()
    assert status["required"] is True and status["current_version"] == 2 and status["acknowledged_version"] is None
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["required"] is False and response.json()["acknowledged_version"] == 2
    assert Acknowledgement.objects.get().version == policy.versions.get(number=2)


def test_acknowledging_a_version_that_is_not_the_policy_is_a_400(client, alice):
    brand = make_brand_guide()
    client.force_login(alice)
    url = reverse("guidelines:api_acknowledgement")
    assert client.post(url, {}, content_type="application/json").status_code == 400  # no policy yet
    response = client.post(url, {"version": brand.versions.get().pk}, content_type="application/json")
    assert response.status_code == 400 and "version" in response.json()


CHINESE = "我们发布了全新的应用程序，欢迎大家下载试用并分享你的反馈意见！" * 4 + " #Launch #Acme #employee"


def _count(client, captions):
    return client.post(reverse("guidelines:api_caption_count"), {"captions": captions}, content_type="application/json")


def test_the_count_endpoint_gives_the_numbers_the_check_gives(client, alice, post):
    client.force_login(alice)
    every = dict.fromkeys(("linkedin", "x", "facebook", "mastodon", "bluesky", "threads", "email"), CHINESE)
    counted = _count(client, every)
    assert counted.status_code == 200
    checked = _check(client, post=post.pk, network="x", caption=CHINESE).json()
    assert counted.json()["counts"] == checked["counts"]
    # X counts CJK double and the tracked link as 23 after a space: 124 * 2 + 24 + 1 + 23.
    assert counted.json()["counts"]["x"] == {"count": 296, "limit": 280, "over": True}
    assert counted.json()["counts"]["linkedin"]["count"] == len(CHINESE) + 2 + len(tracked_link_placeholder())


def test_the_count_endpoint_counts_each_networks_own_text(client, alice):
    client.force_login(alice)
    counts = _count(client, {"x": "a" * 256, "bluesky": "b" * 300}).json()["counts"]
    assert counts == {
        "x": {"count": 280, "limit": 280, "over": False},
        "bluesky": {"count": 335, "limit": 300, "over": True},
    }


@pytest.mark.parametrize(
    ("captions", "message"),
    [({}, "empty"), ({"myspace": "hi"}, "Unknown network: myspace"), ({"x": "a" * 63_207}, "63206")],
)
def test_bad_count_input_gets_a_400_that_says_why(client, alice, captions, message):
    client.force_login(alice)
    response = _count(client, captions)
    assert response.status_code == 400
    assert message in str(response.json()["captions"])
