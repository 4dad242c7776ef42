"""Posting to X: exact request bodies, the image and its alt text, and how X's refusals are told."""

import base64
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from connections.models import ConnectedAccount
from connections.publishers import Draft, DraftImage, LinkCard, PublishFailed, publisher_for
from connections.services import connected_account_store
from sharing.published_posts import published_post_parse
from tests.fakes.server import Reply, serving
from tests.fakes.x import FakeX

pytestmark = pytest.mark.django_db

LINK = LinkCard(url="https://go.example.com/s/abc123", title="Our new office", description="Opening in May")
PNG = b"\x89PNG\r\n\x1a\nnot-really-an-image"


@pytest.fixture
def fake_x(settings):
    with serving() as api:
        fake = FakeX(api).install()
        settings.X_POSTING_ENABLED = True
        settings.X_CLIENT_ID = fake.client_id
        settings.X_CLIENT_SECRET = fake.client_secret
        settings.METRICS_X_API_URL = api.url
        yield fake


@pytest.fixture
def account(alice, fake_x):
    access, refresh = "x-access-current", "x-refresh-current"
    fake_x.access_tokens.add(access)
    fake_x.refresh_tokens.add(refresh)
    now = timezone.now()
    return connected_account_store(
        person=alice,
        network="x",
        handle="@Alice_Archer",
        remote_account_id="1500000000000000001",
        access_token=access,
        refresh_token=refresh,
        access_expires_at=now + timedelta(hours=2),
        oauth_client_id=fake_x.client_id,
    )


def draft(text="Our new office opens in May https://go.example.com/s/abc123", image=None):
    return Draft(text=text, link=LINK, image=image)


def test_it_posts_the_text_and_returns_an_address_sharing_accepts(account, fake_x):
    published = publisher_for("x")(account, draft())

    (request,) = fake_x.api.requests_to("/2/tweets")
    assert request.json == {"text": "Our new office opens in May https://go.example.com/s/abc123"}
    assert request.headers["authorization"] == "Bearer x-access-current"
    assert request.headers["content-type"] == "application/json"
    assert published.url == f"https://x.com/Alice_Archer/status/{published.post_id}"
    parsed = published_post_parse(network="x", url=published.url)
    assert parsed.post_id == published.post_id
    assert parsed.author == "alice_archer"
    assert not fake_x.api.requests_to("/2/media/upload")


def test_it_uploads_the_image_with_its_alt_text_first(account, fake_x):
    image = DraftImage(content=PNG, mime_type="image/png", alt_text="The new office's lobby", width=1200, height=630)

    publisher_for("x")(account, draft(image=image))

    (upload,) = fake_x.api.requests_to("/2/media/upload")
    assert upload.json == {
        "media": base64.b64encode(PNG).decode(),
        "media_category": "tweet_image",
        "media_type": "image/png",
    }
    (media_id,) = fake_x.media
    (metadata,) = fake_x.api.requests_to("/2/media/metadata")
    assert metadata.json == {"id": media_id, "metadata": {"alt_text": {"text": "The new office's lobby"}}}
    (post,) = fake_x.api.requests_to("/2/tweets")
    assert post.json == {"text": draft().text, "media": {"media_ids": [media_id]}}
    assert [r.path for r in fake_x.api.requests] == ["/2/media/upload", "/2/media/metadata", "/2/tweets"]


def test_a_lapsed_access_token_is_refreshed_before_posting(account, fake_x):
    ConnectedAccount.objects.filter(pk=account.pk).update(access_expires_at=timezone.now() - timedelta(minutes=1))
    account.refresh_from_db()

    publisher_for("x")(account, draft())

    assert [r.path for r in fake_x.api.requests] == ["/2/oauth2/token", "/2/tweets"]
    assert fake_x.api.requests_to("/2/oauth2/token")[0].form["refresh_token"] == ["x-refresh-current"]
    assert ConnectedAccount.objects.get().refresh_token in fake_x.refresh_tokens


def test_a_401_is_retried_once_after_a_refresh(account, fake_x):
    fake_x.access_tokens.discard("x-access-current")  # X stopped taking it before its two hours

    published = publisher_for("x")(account, draft())

    assert [r.path for r in fake_x.api.requests] == ["/2/tweets", "/2/oauth2/token", "/2/tweets"]
    assert published.post_id == fake_x.posts[0]["id"]
    assert ConnectedAccount.objects.get().last_error == ""


def test_a_401_that_a_refresh_cannot_cure_asks_to_reconnect(account, fake_x):
    fake_x.access_tokens.clear()
    fake_x.refresh_tokens.clear()

    with pytest.raises(PublishFailed) as failed:
        publisher_for("x")(account, draft())

    assert failed.value.reconnect and not failed.value.retryable
    assert "connect your X account again" in failed.value.reason
    assert ConnectedAccount.objects.get().last_error
    assert "x-access" not in failed.value.reason and "x-refresh" not in failed.value.reason


def test_a_duplicate_is_refused_for_good_with_xs_words(account, fake_x):
    publisher_for("x")(account, draft())
    with pytest.raises(PublishFailed) as failed:
        publisher_for("x")(account, draft())
    assert not failed.value.retryable and not failed.value.reconnect
    assert failed.value.reason == "X refused the post: You are not allowed to create a Tweet with duplicate content."


def test_a_rate_limit_is_retried_when_x_says(account, fake_x):
    reset = int(time.time()) + 120
    fake_x.tweet_reply = Reply(
        429,
        {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
        headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
    )
    with pytest.raises(PublishFailed) as failed:
        publisher_for("x")(account, draft())
    assert failed.value.retryable
    assert 110 <= failed.value.retry_after <= 120


def test_xs_own_trouble_is_retried(account, fake_x):
    fake_x.tweet_reply = Reply(503, {"title": "Service Unavailable", "status": 503})
    with pytest.raises(PublishFailed) as failed:
        publisher_for("x")(account, draft())
    assert failed.value.retryable and failed.value.retry_after is None


def test_a_bad_request_is_not_retried(account, fake_x):
    fake_x.tweet_reply = Reply(
        400,
        {
            "errors": [{"message": "Your Tweet text is too long."}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        },
    )
    with pytest.raises(PublishFailed) as failed:
        publisher_for("x")(account, draft())
    assert not failed.value.retryable
    assert "One or more parameters to your request was invalid." in failed.value.reason


def test_no_answer_is_retried(account, settings):
    settings.METRICS_X_API_URL = "http://127.0.0.1:9"
    with pytest.raises(PublishFailed) as failed:
        publisher_for("x")(account, draft())
    assert failed.value.retryable
