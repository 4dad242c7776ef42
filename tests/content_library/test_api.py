from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from content_library.models import Post

from .factories import CampaignFactory, PostFactory, PostImageFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_the_feed_api_follows_the_same_rules_as_the_page(client, alice, bob):
    now = timezone.now()
    everyone = PostFactory(title="For all", is_featured=True)
    PostImageFactory(post=everyone)
    sales = PostFactory(title="For sales", target_teams=[bob.team])
    PostFactory(title="Expired", publish_at=now - timedelta(days=2), expires_at=now - timedelta(hours=1))
    PostFactory(title="Draft", status=Post.Status.DRAFT)
    client.force_login(alice)
    body = client.get(reverse("content_library:api_feed")).json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["title"] == "For all" and item["already_shared"] is False
    assert item["images"][0]["url"].startswith("http://testserver/media/posts/")
    assert item["captions"]["x"] == everyone.suggested_caption
    assert client.get(reverse("content_library:api_feed_post", kwargs={"slug": sales.slug})).status_code == 404
    client.force_login(bob)
    titles = [post["title"] for post in client.get(reverse("content_library:api_feed")).json()["results"]]
    assert titles == ["For all", "For sales"]


def test_the_feed_api_filters_and_explains_bad_filters(client, alice):
    PostFactory(title="Tagged", topics=[TopicFactory(name="Space")])
    PostFactory(title="Other")
    client.force_login(alice)
    body = client.get(reverse("content_library:api_feed"), {"topic": "space", "search": "tag"}).json()
    assert [post["title"] for post in body["results"]] == ["Tagged"]
    response = client.get(reverse("content_library:api_feed"), {"network": "myspace"})
    assert response.status_code == 400 and "network" in response.json()


def test_comms_create_edit_transition_and_archive_posts(client, casey, engineering):
    campaign = CampaignFactory(name="Spring", hashtag="#Spring")
    client.force_login(casey)
    response = client.post(
        reverse("content_library:api_comms_posts"),
        {
            "title": "API post",
            "destination_url": "https://example.com/a",
            "campaign": "spring",
            "captions": {"x": "Short"},
            "target_everyone": False,
            "target_teams": ["engineering"],
            "hashtags": "#Api",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    post = response.json()
    assert post["status"] == "draft" and post["target_teams"] == ["engineering"]
    assert post["required_hashtags"] == ["#Api", "#Spring"]
    assert post["transitions"][0]["to_status"] == "draft"
    detail = reverse("content_library:api_comms_post", kwargs={"pk": post["id"]})
    response = client.patch(detail, {"title": "Renamed", "is_featured": True}, content_type="application/json")
    assert response.json()["title"] == "Renamed" and response.json()["is_featured"] is True
    transition = reverse("content_library:api_comms_post_transition", kwargs={"pk": post["id"]})
    response = client.post(transition, {"to_status": "approved"}, content_type="application/json")
    assert response.status_code == 400 and "to_status" in response.json()
    client.post(transition, {"to_status": "submitted"}, content_type="application/json")
    response = client.post(transition, {"to_status": "rejected"}, content_type="application/json")
    assert response.status_code == 400 and "note" in response.json()
    response = client.post(transition, {"to_status": "approved", "note": "ok"}, content_type="application/json")
    assert response.json()["status"] == "approved"
    assert campaign.posts.count() == 1
    response = client.post(
        reverse("content_library:api_comms_post_archive"), {"ids": [post["id"]]}, content_type="application/json"
    )
    assert response.json() == {"archived": 1}


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "//evil.example"])
def test_the_api_refuses_links_that_are_not_http(client, casey, url):
    client.force_login(casey)
    response = client.post(
        reverse("content_library:api_comms_posts"),
        {"title": "Bad link", "destination_url": url},
        content_type="application/json",
    )
    assert response.status_code == 400 and "destination_url" in response.json()
    assert not Post.objects.exists()


def test_the_api_explains_bad_input(client, casey):
    client.force_login(casey)
    response = client.post(
        reverse("content_library:api_comms_posts"),
        {"title": "", "captions": {"myspace": "hi"}, "campaign": "nope", "publish_at": "soon"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {"title", "captions", "campaign", "publish_at"} <= set(response.json())
    response = client.post(
        reverse("content_library:api_comms_posts"), {"title": "Nobody", "target_everyone": False}, format="json"
    )
    assert response.status_code == 400


def test_comms_manage_campaigns_through_the_api(client, casey):
    client.force_login(casey)
    response = client.post(
        reverse("content_library:api_comms_campaigns"),
        {"name": "Autumn", "hashtag": "#Autumn", "starts_on": "2026-10-01", "ends_on": "2026-10-31"},
        content_type="application/json",
    )
    assert response.status_code == 201
    campaign = response.json()
    assert campaign["post_count"] == 0 and campaign["slug"] == "autumn"
    response = client.patch(
        reverse("content_library:api_comms_campaign", kwargs={"pk": campaign["id"]}),
        {"ends_on": "2026-09-01"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "ends_on" in response.json()
    assert [c["name"] for c in client.get(reverse("content_library:api_comms_campaigns")).json()] == ["Autumn"]


def test_the_schema_documents_the_library_endpoints(client, alice):
    client.force_login(alice)
    schema = client.get("/api/schema/").content.decode()
    assert "/api/library/posts/" in schema and "FeedPostOutput" in schema


def test_the_suggestion_api_proposes_and_lists_only_your_own(client, alice, bob, casey, django_assert_max_num_queries):
    from content_library.models import Suggestion
    from content_library.services import suggestion_approve

    client.force_login(alice)
    url = reverse("content_library:api_suggestions")
    created = client.post(
        url,
        {"url": "https://example.com/story", "text": "  Our launch  ", "draft_caption": "Look!"},
        "application/json",
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["url"], body["text"], body["status"], body["image"], body["post"]) == (
        "https://example.com/story",
        "Our launch",
        "pending",
        None,
        None,
    )
    suggestion = Suggestion.objects.get(pk=body["id"])
    assert suggestion.author == alice
    suggestion_approve(suggestion=suggestion, reviewer=casey, note="Great find")
    client.force_login(bob)
    client.post(url, {"text": "Bob's idea"}, "application/json")
    assert [item["text"] for item in client.get(url).json()["results"]] == ["Bob's idea"]
    client.force_login(alice)
    with django_assert_max_num_queries(6):
        mine = client.get(url).json()
    assert mine["count"] == 1
    assert mine["results"][0]["status"] == "approved" and mine["results"][0]["review_note"] == "Great find"
    assert mine["results"][0]["post"] == Suggestion.objects.get(pk=body["id"]).post.slug


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({}, "url", "Add a link or some text"),
        ({"url": "javascript:alert(1)"}, "url", "http"),
        ({"text": "x" * 5001}, "text", "5000"),
        ({"url": 7, "text": ["not", "text"]}, "text", "valid string"),
    ],
)
def test_the_suggestion_api_explains_what_is_wrong_and_saves_nothing(client, alice, payload, field, message):
    from content_library.models import Suggestion

    client.force_login(alice)
    response = client.post(reverse("content_library:api_suggestions"), payload, "application/json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not Suggestion.objects.exists()


def test_the_suggestion_api_takes_json_only(client, alice):
    client.force_login(alice)
    response = client.post(reverse("content_library:api_suggestions"), {"url": "https://example.com"})
    assert response.status_code == 415
