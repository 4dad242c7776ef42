"""Posting to Threads: container, readiness, publish, permalink; and the metrics read it back."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from connections.models import ConnectedAccount
from connections.publishers import Draft, DraftImage, LinkCard, PublishFailed, publisher_for
from connections.publishers import threads as threads_publisher
from connections.selectors import accounts_access_for
from connections.services import connected_account_store
from metrics.providers import Outcome, PostRef
from metrics.providers.threads import ThreadsProvider
from sharing.published_posts import published_post_parse
from tests.fakes.server import Reply, serving
from tests.fakes.threads import FakeThreads, graph_error

pytestmark = pytest.mark.django_db

LINK = LinkCard(url="https://go.example.com/s/abc123", title="Our new office", description="Opening in May")
TEXT = "Our new office opens in May https://go.example.com/s/abc123"


@pytest.fixture
def fake_threads(settings, monkeypatch):
    slept = []
    monkeypatch.setattr(threads_publisher, "_sleep", slept.append)
    with serving() as api:
        fake = FakeThreads(api).install()
        fake.slept = slept
        settings.THREADS_APP_ID = fake.app_id
        settings.THREADS_APP_SECRET = fake.app_secret
        settings.METRICS_THREADS_API_URL = f"{api.url}/v1.0"
        yield fake


@pytest.fixture
def account(alice, fake_threads):
    token = "THlong-current"
    fake_threads.long_lived.add(token)
    now = timezone.now()
    return connected_account_store(
        person=alice,
        network="threads",
        handle="alice.archer",
        remote_account_id=fake_threads.user_id,
        access_token=token,
        refresh_token=token,
        expires_at=now + timedelta(days=60),
        access_expires_at=now + timedelta(days=52),
    )


def image(public_url="https://advocacy.example.com/media/renditions/office-1200.jpg"):
    return DraftImage(
        content=b"jpeg", mime_type="image/jpeg", alt_text="The lobby", width=1200, height=630, public_url=public_url
    )


def test_a_text_post_carries_the_link_attachment_and_comes_back_with_its_permalink(account, fake_threads):
    published = publisher_for("threads")(account, Draft(text=TEXT, link=LINK))

    (create,) = fake_threads.api.requests_to(f"/v1.0/{fake_threads.user_id}/threads")
    assert create.form == {"media_type": ["TEXT"], "text": [TEXT], "link_attachment": [LINK.url]}
    assert create.headers["authorization"] == "Bearer THlong-current"
    assert "THlong" not in create.raw_query
    (publish,) = fake_threads.api.requests_to(f"/v1.0/{fake_threads.user_id}/threads_publish")
    (container_id,) = fake_threads.containers
    assert publish.form == {"creation_id": [container_id]}
    (media_id,) = fake_threads.published
    assert published.post_id == media_id
    assert published.url == fake_threads.published[media_id]["permalink"]
    (permalink,) = fake_threads.api.requests_to(f"/v1.0/{media_id}")
    assert permalink.query == {"fields": ["permalink,shortcode"]}
    parsed = published_post_parse(network="threads", url=published.url)
    assert parsed.post_id == fake_threads.published[media_id]["shortcode"]
    assert parsed.author == "alice.archer"
    assert fake_threads.slept == []


def test_an_image_post_waits_for_the_container_then_publishes(account, fake_threads):
    fake_threads.in_progress_checks = 2

    publisher_for("threads")(account, Draft(text=TEXT, link=LINK, image=image()))

    (create,) = fake_threads.api.requests_to(f"/v1.0/{fake_threads.user_id}/threads")
    assert create.form == {
        "media_type": ["IMAGE"],
        "image_url": ["https://advocacy.example.com/media/renditions/office-1200.jpg"],
        "text": [TEXT],
        "alt_text": ["The lobby"],
    }
    (container_id,) = fake_threads.containers
    checks = fake_threads.api.requests_to(f"/v1.0/{container_id}")
    assert len(checks) == 3 and all(c.query == {"fields": ["status,error_message"]} for c in checks)
    paths = [request.path for request in fake_threads.api.requests]
    assert paths.index(f"/v1.0/{fake_threads.user_id}/threads_publish") > paths.index(f"/v1.0/{container_id}")
    assert len(fake_threads.slept) == 3
    assert fake_threads.published


def test_an_image_threads_cannot_fetch_is_refused_with_its_reason(account, fake_threads):
    fake_threads.final_status = "ERROR"
    with pytest.raises(PublishFailed) as failed:
        publisher_for("threads")(account, Draft(text=TEXT, link=LINK, image=image()))
    assert not failed.value.retryable
    assert "FAILED_DOWNLOADING_IMAGE" in failed.value.reason
    assert not fake_threads.published


def test_a_container_still_processing_is_retried_later(account, fake_threads):
    fake_threads.in_progress_checks = 100
    with pytest.raises(PublishFailed) as failed:
        publisher_for("threads")(account, Draft(text=TEXT, link=LINK, image=image()))
    assert failed.value.retryable
    assert len(fake_threads.slept) == threads_publisher.STATUS_CHECKS
    assert not fake_threads.published


def test_an_image_without_a_public_address_goes_as_text_with_the_link(account, fake_threads):
    publisher_for("threads")(account, Draft(text=TEXT, link=LINK, image=image(public_url="")))
    (create,) = fake_threads.api.requests_to(f"/v1.0/{fake_threads.user_id}/threads")
    assert create.form["media_type"] == ["TEXT"] and create.form["link_attachment"] == [LINK.url]


def test_a_token_threads_refuses_asks_to_reconnect(account, fake_threads):
    fake_threads.long_lived.clear()
    with pytest.raises(PublishFailed) as failed:
        publisher_for("threads")(account, Draft(text=TEXT, link=LINK))
    assert failed.value.reconnect and not failed.value.retryable
    assert "THlong" not in failed.value.reason
    assert ConnectedAccount.objects.get().last_error


def test_a_rate_limit_is_retried(account, fake_threads):
    fake_threads.container_reply = graph_error(400, "Application request limit reached", 4)
    with pytest.raises(PublishFailed) as failed:
        publisher_for("threads")(account, Draft(text=TEXT, link=LINK))
    assert failed.value.retryable and not failed.value.reconnect


def test_threads_own_trouble_is_retried(account, fake_threads):
    fake_threads.container_reply = Reply(500, {"error": {"message": "An unknown error occurred", "code": 1}})
    with pytest.raises(PublishFailed) as failed:
        publisher_for("threads")(account, Draft(text=TEXT, link=LINK))
    assert failed.value.retryable


def test_a_post_threads_will_not_take_says_why(account, fake_threads):
    fake_threads.container_reply = graph_error(400, "The post has more than 5 links.", 100, "THApiException")
    with pytest.raises(PublishFailed) as failed:
        publisher_for("threads")(account, Draft(text=TEXT, link=LINK))
    assert not failed.value.retryable
    assert failed.value.reason == "Threads did not take the post: The post has more than 5 links."


def test_the_published_post_s_insights_are_read_with_the_owner_s_token(account, fake_threads, alice):
    published = publisher_for("threads")(account, Draft(text=TEXT, link=LINK))
    insights = {
        "data": [
            {"name": name, "period": "lifetime", "values": [{"value": value}], "id": f"{published.post_id}/insights"}
            for name, value in (("views", 52), ("likes", 4), ("replies", 1), ("reposts", 0), ("quotes", 0))
        ]
    }
    fake_threads.api.route(f"/v1.0/{published.post_id}/insights", Reply(200, insights))
    access = accounts_access_for(person_ids=[alice.pk], network="threads")[alice.pk]
    ref = PostRef("threads", published.post_id)

    result = ThreadsProvider.from_settings(rng=random.Random(1)).fetch([ref], accounts={ref: access})[ref]

    assert result.outcome is Outcome.OK
    assert result.metrics.impressions == 52 and result.metrics.likes == 4
    assert result.facts.author == frozenset({fake_threads.user_id})
