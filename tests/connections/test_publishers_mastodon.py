"""Posting to Mastodon: the image (with its alt text) first, then the status, and each refusal in words."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings

from connections.publishers import Draft, DraftImage, LinkCard, PublishFailed, publisher_for
from sharing.published_posts import published_post_parse
from tests.connections.conftest import MASTODON_HOST, mastodon_account
from tests.fakes.server import Reply

pytestmark = pytest.mark.django_db

LINK = "https://advocacy.example/s/Ab3dE"
TEXT = f"Our new release is out: faster, smaller, kinder to batteries. {LINK}"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # every byte value, so nothing is re-encoded on the way
IMAGE = DraftImage(content=PNG, mime_type="image/png", alt_text="A rocket — leaving Earth", width=1200, height=627)


def draft(**fields) -> Draft:
    card = LinkCard(url=LINK, title="Release", description="It is out")
    defaults = {"text": TEXT, "link": card, "idempotency_key": ""}
    return Draft(**{**defaults, **fields})


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch):
    monkeypatch.setattr("connections.publishers.mastodon.MEDIA_POLL_DELAYS", (0, 0, 0))


def publish(account, **fields):
    return publisher_for("mastodon")(account, draft(**fields))


def test_it_posts_the_text_with_the_idempotency_key_and_returns_the_status(alice, mastodon):
    account = mastodon_account(alice, mastodon)
    published = publish(account, idempotency_key="share-41-attempt")

    (request,) = mastodon.api.requests
    assert (request.method, request.path) == ("POST", "/api/v1/statuses")
    assert request.headers["authorization"] == f"Bearer {account.access_token}"
    assert request.headers["idempotency-key"] == "share-41-attempt"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.form == {"status": [TEXT]}
    (status,) = mastodon.statuses
    assert published.post_id == status["status"]["id"]
    assert published.url == f"https://{MASTODON_HOST}/@alice/{published.post_id}"
    parsed = published_post_parse(network="mastodon", url=published.url, mastodon_instance=MASTODON_HOST)
    assert parsed.post_id == published.post_id and parsed.instance == MASTODON_HOST


def test_a_retried_publish_with_the_same_key_posts_once(alice, mastodon):
    account = mastodon_account(alice, mastodon)
    first = publish(account, idempotency_key="share-41")
    again = publish(account, idempotency_key="share-41")
    assert first == again and len(mastodon.statuses) == 1


def test_the_image_is_uploaded_first_with_its_alt_text_then_attached(alice, mastodon):
    account = mastodon_account(alice, mastodon)
    published = publish(account, image=IMAGE)

    upload, post = mastodon.api.requests
    assert (upload.method, upload.path) == ("POST", "/api/v2/media")
    assert upload.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert upload.headers["authorization"] == f"Bearer {account.access_token}"
    (media,) = mastodon.media.values()
    assert (media.content, media.content_type, media.filename) == (PNG, "image/png", "image.png")
    assert media.description == "A rocket — leaving Earth"
    assert post.form == {"status": [TEXT], "media_ids[]": [media.id]}
    assert mastodon.statuses[0]["status"]["id"] == published.post_id


def test_an_image_still_processing_is_waited_for(alice, mastodon):
    mastodon.processing_polls = 2
    account = mastodon_account(alice, mastodon)
    publish(account, image=IMAGE)
    (media,) = mastodon.media.values()
    assert [(r.method, r.path) for r in mastodon.api.requests] == [
        ("POST", "/api/v2/media"),
        ("GET", f"/api/v1/media/{media.id}"),
        ("GET", f"/api/v1/media/{media.id}"),
        ("GET", f"/api/v1/media/{media.id}"),
        ("POST", "/api/v1/statuses"),
    ]
    assert mastodon.statuses[0]["media_ids"] == [media.id]


def test_an_image_that_takes_too_long_is_tried_again_later_and_nothing_is_posted(alice, mastodon):
    mastodon.processing_polls = 10
    with pytest.raises(PublishFailed, match="still processing the image") as failed:
        publish(mastodon_account(alice, mastodon), image=IMAGE)
    assert failed.value.retryable and not failed.value.reconnect
    assert mastodon.statuses == []


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_asks_to_connect_again(alice, mastodon, status):
    account = mastodon_account(alice, mastodon)
    mastodon.api.route("/api/v1/statuses", Reply(status, {"error": "The access token is invalid"}))
    with pytest.raises(PublishFailed, match="connect Mastodon again") as failed:
        publish(account)
    assert failed.value.reconnect and not failed.value.retryable
    assert account.access_token not in failed.value.reason


def test_a_revoked_token_fails_at_the_upload_already(alice, mastodon):
    account = mastodon_account(alice, mastodon)
    mastodon.tokens.clear()  # revoked at the instance
    with pytest.raises(PublishFailed, match="while uploading the image") as failed:
        publish(account, image=IMAGE)
    assert failed.value.reconnect and [r.path for r in mastodon.api.requests] == ["/api/v2/media"]


def test_a_token_without_the_posting_scope_asks_to_connect_again(alice, mastodon):
    account = mastodon_account(alice, mastodon, scopes=("profile",))
    with pytest.raises(PublishFailed) as failed:
        publish(account)
    assert failed.value.reconnect and "HTTP 403" in failed.value.reason


def test_a_validation_error_is_not_retried_and_says_what_mastodon_said(alice, mastodon):
    with pytest.raises(PublishFailed) as failed:
        publish(mastodon_account(alice, mastodon), text="x" * 501)
    assert failed.value.reason == (
        "Your instance would not accept it while publishing the post: "
        "Validation failed: Text character limit of 500 exceeded."
    )
    assert not failed.value.retryable and not failed.value.reconnect


def test_a_refused_image_is_not_retried(alice, mastodon):
    odd = DraftImage(content=b"GIF89a", mime_type="video/mp4", alt_text="", width=1, height=1)
    with pytest.raises(PublishFailed, match="File content type is invalid") as failed:
        publish(mastodon_account(alice, mastodon), image=odd)
    assert not failed.value.retryable and mastodon.statuses == []


def test_a_rate_limit_is_retried_after_the_instances_reset(alice, mastodon):
    account = mastodon_account(alice, mastodon)
    reset = (datetime.now(UTC) + timedelta(seconds=120)).isoformat().replace("+00:00", "Z")
    mastodon.api.route(
        "/api/v1/statuses",
        Reply(429, {"error": "Too many requests"}, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}),
    )
    with pytest.raises(PublishFailed, match="slow down") as failed:
        publish(account)
    assert failed.value.retryable and not failed.value.reconnect
    assert 115 <= failed.value.retry_after <= 122


def test_a_rate_limit_with_retry_after_seconds_is_honoured(alice, mastodon):
    account = mastodon_account(alice, mastodon)
    mastodon.api.route("/api/v1/statuses", Reply(429, {"error": "Too many requests"}, {"Retry-After": "30"}))
    with pytest.raises(PublishFailed) as failed:
        publish(account)
    assert failed.value.retry_after == 31  # and a second of margin for clock skew


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_is_retried_later(alice, mastodon, status):
    account = mastodon_account(alice, mastodon)
    mastodon.api.route("/api/v1/statuses", Reply(status, "<html>Bad gateway</html>", {"Content-Type": "text/html"}))
    with pytest.raises(PublishFailed, match=f"HTTP {status}") as failed:
        publish(account)
    assert failed.value.retryable and not failed.value.reconnect


@override_settings(CONNECTIONS_HTTP_TIMEOUT=0.3)
def test_an_instance_that_does_not_answer_is_retried_later(alice, mastodon):
    account = mastodon_account(alice, mastodon)
    mastodon.api.route("/api/v1/statuses", Reply(body={}, delay=2))
    with pytest.raises(PublishFailed, match="did not answer") as failed:
        publish(account)
    assert failed.value.retryable


def test_an_answer_without_the_new_status_is_not_taken_for_success(alice, mastodon):
    account = mastodon_account(alice, mastodon)
    mastodon.api.route("/api/v1/statuses", Reply(200, {"id": "1"}))
    with pytest.raises(PublishFailed, match="without the new post's id or address"):
        publish(account)
