import pytest
from django.urls import reverse

from sharing.models import Share

from .conftest import make_post, make_share

CAPTION = "Proud of the team: the new app is out! #employee"


@pytest.mark.django_db
class TestShareCreateApi:
    url = "/api/shares/create/"

    def test_it_shares_once_and_returns_the_link_and_intent(self, client, alice, post, settings):
        client.force_login(alice)
        first = client.post(self.url, {"post": post.slug, "network": "bluesky", "caption": CAPTION}, "application/json")
        assert first.status_code == 201
        body = first.json()
        share = Share.objects.get()
        assert body["tracked_link"] == f"{settings.SITE_URL}/s/{share.code}"
        assert body["intent_url"].startswith("https://bsky.app/intent/compose?text=")
        assert body["created"] is True
        again = client.post(self.url, {"post": post.slug, "network": "bluesky", "caption": CAPTION}, "application/json")
        assert again.status_code == 200
        assert again.json()["tracked_link"] == body["tracked_link"]
        assert Share.objects.count() == 1

    def test_caption_problems_come_back_as_field_errors(self, client, alice, post):
        client.force_login(alice)
        response = client.post(self.url, {"post": post.slug, "network": "x", "caption": "hi"}, "application/json")
        assert response.status_code == 400
        assert any("#employee" in message for message in response.json()["caption"])

    def test_unknown_posts_and_networks_are_field_errors(self, client, alice, post):
        client.force_login(alice)
        response = client.post(self.url, {"post": "nope", "network": "x", "caption": CAPTION}, "application/json")
        assert response.status_code == 400
        assert "post" in response.json()
        response = client.post(self.url, {"post": post.slug, "network": "myspace", "caption": ""}, "application/json")
        assert response.status_code == 400
        assert "network" in response.json()


@pytest.mark.django_db
def test_the_list_shows_only_my_shares(client, alice, bob, post):
    make_share(user=alice, post=post, human_clicks=3)
    make_share(user=bob, post=post, code="BobShare1")
    client.force_login(alice)
    body = client.get(reverse("sharing:api_share_list")).json()
    assert body["count"] == 1
    assert body["results"][0]["human_clicks"] == 3
    assert body["results"][0]["post"] == post.slug


@pytest.mark.django_db
def test_the_published_url_is_validated_for_the_network(client, alice, post):
    share = make_share(user=alice, post=make_post(slug="p2"), network="x")
    client.force_login(alice)
    url = reverse("sharing:api_share_published_url", kwargs={"share_id": share.pk})
    bad = client.post(url, {"url": "https://bsky.app/profile/a.bsky.social/post/3kabcdefghij2"}, "application/json")
    assert bad.status_code == 400
    assert "X post URL" in bad.json()["url"][0]
    good = client.post(url, {"url": "https://x.com/alice/status/1790000000000000001"}, "application/json")
    assert good.status_code == 200
    assert good.json()["published_post_id"] == "1790000000000000001"
