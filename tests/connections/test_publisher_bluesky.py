"""Posting to Bluesky: the exact createRecord body (facets in UTF-8 bytes, the embeds), and Bluesky's refusals."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from connections.models import ConnectedAccount
from connections.publishers import Draft, DraftImage, LinkCard, PublishFailed, publisher_for
from connections.publishers.bluesky import text_facets
from connections.services import connected_account_store
from sharing.published_posts import published_post_parse
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.server import Reply, serving

pytestmark = pytest.mark.django_db

URL = "https://go.example.com/s/abc123"
PNG = b"\x89PNG\r\n\x1a\nnot-really-an-image"
THUMB = DraftImage(content=b"\xff\xd8\xffthumbnail", mime_type="image/jpeg", alt_text="", width=1200, height=630)
LINK = LinkCard(url=URL, title="Our new office", description="Opening in May", thumbnail=THUMB)


@pytest.fixture
def pds(settings):
    with serving() as api:
        settings.CONNECTIONS_BLUESKY_SERVICE_URL = api.url
        yield FakeBluesky(api).install()


@pytest.fixture
def account(alice, pds):
    session = pds._issue("com.atproto.appPass")
    return connected_account_store(
        person=alice,
        network="bluesky",
        handle=pds.handle,
        remote_account_id=pds.did,
        access_token=session["accessJwt"],
        refresh_token=session["refreshJwt"],
        instance_url=pds.api.url,
        access_expires_at=timezone.now() + timedelta(hours=2),
        expires_at=timezone.now() + timedelta(days=90),
    )


def draft(text=f"Our new office opens in May {URL}", image=None, link=LINK, lang=""):
    return Draft(text=text, link=link, image=image, lang=lang)


def _record(pds):
    (request,) = pds.requests_to("com.atproto.repo.createRecord")
    return request


def test_it_posts_the_exact_record_with_the_link_card_and_returns_an_address_sharing_accepts(account, pds):
    published = publisher_for("bluesky")(account, draft(lang="en"))

    (upload,) = pds.requests_to("com.atproto.repo.uploadBlob")
    assert upload.body == THUMB.content
    assert upload.headers["content-type"] == "image/jpeg"
    assert upload.headers["authorization"] == f"Bearer {account.access_token}"
    request = _record(pds)
    assert request.headers["content-type"] == "application/json"
    body = request.json
    created_at = body["record"].pop("createdAt")
    assert created_at.endswith("Z") and "T" in created_at
    assert body == {
        "repo": pds.did,
        "collection": "app.bsky.feed.post",
        "record": {
            "$type": "app.bsky.feed.post",
            "text": f"Our new office opens in May {URL}",
            "langs": ["en"],
            "facets": [
                {
                    "index": {"byteStart": 28, "byteEnd": 28 + len(URL)},
                    "features": [{"$type": "app.bsky.richtext.facet#link", "uri": URL}],
                }
            ],
            "embed": {
                "$type": "app.bsky.embed.external",
                "external": {
                    "uri": URL,
                    "title": "Our new office",
                    "description": "Opening in May",
                    "thumb": {
                        "$type": "blob",
                        "ref": {"$link": pds.blobs[0]["ref"]["$link"]},
                        "mimeType": "image/jpeg",
                        "size": len(THUMB.content),
                    },
                },
            },
        },
    }
    rkey = pds.records[0]["rkey"]
    assert published.post_id == f"at://{pds.did}/app.bsky.feed.post/{rkey}"
    assert published.url == f"https://bsky.app/profile/alice.bsky.social/post/{rkey}"
    parsed = published_post_parse(network="bluesky", url=published.url)
    assert parsed.post_id == f"at://alice.bsky.social/app.bsky.feed.post/{rkey}"


@pytest.mark.parametrize(
    "before",
    [
        "Café ouvert à Montréal 🎉 ",  # accented letters (2 bytes) and an emoji (4 bytes)
        "新しいオフィスが開きます！ ",  # Japanese: 3 bytes a character
        "👩🏽‍💻 ZWJ family 👨‍👩‍👧 then ",  # emoji sequences with joiners and modifiers
    ],
)
def test_facet_offsets_count_utf8_bytes_not_characters(account, pds, before):
    text = f"{before}{URL} #Office2026 #日本"
    publisher_for("bluesky")(account, draft(text=text))

    facets = _record(pds).json["record"]["facets"]
    encoded = text.encode()
    spans = [encoded[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in facets]
    assert spans == [URL, "#Office2026", "#日本"]
    assert facets[0]["index"]["byteStart"] == len(before.encode()) != len(before)
    assert [f["features"][0] for f in facets[1:]] == [
        {"$type": "app.bsky.richtext.facet#tag", "tag": "Office2026"},
        {"$type": "app.bsky.richtext.facet#tag", "tag": "日本"},
    ]


def test_facets_leave_out_sentence_punctuation_and_number_only_tags():
    text = f"See {URL}. Also (https://example.org/a_(b)) #1 #ok!"
    links = [f["features"][0].get("uri") or f["features"][0]["tag"] for f in text_facets(text)]
    assert links == [URL, "https://example.org/a_(b)", "ok"]


def test_an_image_goes_as_an_images_embed_with_its_alt_text(account, pds):
    image = DraftImage(content=PNG, mime_type="image/png", alt_text="The office at dusk", width=1600, height=900)
    publisher_for("bluesky")(account, draft(image=image))

    (upload,) = pds.requests_to("com.atproto.repo.uploadBlob")
    assert upload.body == PNG and upload.headers["content-type"] == "image/png"
    embed = _record(pds).json["record"]["embed"]
    assert embed == {
        "$type": "app.bsky.embed.images",
        "images": [
            {
                "image": {k: v for k, v in pds.blobs[0].items() if k != "content"},
                "alt": "The office at dusk",
                "aspectRatio": {"width": 1600, "height": 900},
            }
        ],
    }


def test_a_card_without_a_thumbnail_uploads_nothing(account, pds):
    publisher_for("bluesky")(account, draft(link=LinkCard(url=URL, title="T", description="")))
    assert pds.requests_to("com.atproto.repo.uploadBlob") == []
    assert "thumb" not in _record(pds).json["record"]["embed"]["external"]
    assert "langs" not in _record(pds).json["record"]


def test_an_expired_token_is_refreshed_once_and_the_post_retried(account, pds):
    pds.next_reply["com.atproto.repo.createRecord"] = Reply(
        400, {"error": "ExpiredToken", "message": "Token has expired"}
    )
    published = publisher_for("bluesky")(account, draft(link=LinkCard(url=URL, title="T", description="")))
    assert len(pds.requests_to("com.atproto.server.refreshSession")) == 1
    first, second = pds.requests_to("com.atproto.repo.createRecord")
    assert first.headers["authorization"] != second.headers["authorization"]
    assert published.url.startswith("https://bsky.app/profile/")


def test_a_401_after_the_refresh_asks_to_reconnect(account, pds):
    pds.access_tokens.clear()
    pds.next_reply["com.atproto.repo.createRecord"] = Reply(401, {"error": "AuthenticationRequired"})
    pds.next_reply["com.atproto.server.refreshSession"] = Reply(
        400, {"error": "ExpiredToken", "message": "Token has been revoked"}
    )
    with pytest.raises(PublishFailed) as failed:
        publisher_for("bluesky")(account, draft())
    assert failed.value.reconnect and not failed.value.retryable
    assert "connect your Bluesky account again" in failed.value.reason


def test_a_token_refused_again_after_a_refresh_is_recorded_and_asks_to_reconnect(account, pds):
    refused = Reply(401, {"error": "AuthenticationRequired", "message": "Authentication Required"})
    pds.api.route("/xrpc/com.atproto.repo.createRecord", refused)
    with pytest.raises(PublishFailed) as failed:
        publisher_for("bluesky")(account, draft(link=LinkCard(url=URL, title="T", description="")))
    assert failed.value.reconnect
    assert len(pds.requests_to("com.atproto.server.refreshSession")) == 1
    assert len(pds.requests_to("com.atproto.repo.createRecord")) == 2
    assert ConnectedAccount.objects.get(pk=account.pk).last_error == "Bluesky refused the account's session."


def test_invalid_request_is_shown_in_blueskys_words(account, pds):
    pds.next_reply["com.atproto.repo.createRecord"] = Reply(
        400, {"error": "InvalidRequest", "message": "Invalid app.bsky.feed.post record: Record/text too long"}
    )
    with pytest.raises(PublishFailed) as failed:
        publisher_for("bluesky")(account, draft(link=LinkCard(url=URL, title="T", description="")))
    assert not failed.value.retryable and not failed.value.reconnect
    assert "Record/text too long" in failed.value.reason


def test_a_403_is_final_and_says_why(account, pds):
    pds.next_reply["com.atproto.repo.createRecord"] = Reply(
        403, {"error": "AccountTakedown", "message": "Account has been taken down"}
    )
    with pytest.raises(PublishFailed) as failed:
        publisher_for("bluesky")(account, draft(link=LinkCard(url=URL, title="T", description="")))
    assert not failed.value.retryable and "taken down" in failed.value.reason


def test_a_rate_limit_is_retried_after_ratelimit_reset(account, pds):
    reset = int(time.time()) + 120
    pds.next_reply["com.atproto.repo.createRecord"] = Reply(
        429,
        {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        headers={"RateLimit-Limit": "5000", "RateLimit-Remaining": "0", "RateLimit-Reset": str(reset)},
    )
    with pytest.raises(PublishFailed) as failed:
        publisher_for("bluesky")(account, draft(link=LinkCard(url=URL, title="T", description="")))
    assert failed.value.retryable
    assert 115 <= failed.value.retry_after <= 125


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried_later(account, pds, status):
    pds.next_reply["com.atproto.repo.createRecord"] = Reply(status, {"error": "InternalServerError"})
    with pytest.raises(PublishFailed) as failed:
        publisher_for("bluesky")(account, draft(link=LinkCard(url=URL, title="T", description="")))
    assert failed.value.retryable and not failed.value.reconnect


def test_no_answer_is_retried_later(account, settings):
    ConnectedAccount.objects.filter(pk=account.pk).update(instance_url="http://127.0.0.1:9")
    settings.CONNECTIONS_BLUESKY_SERVICE_URL = "http://127.0.0.1:9"
    account.refresh_from_db()
    with pytest.raises(PublishFailed) as failed:
        publisher_for("bluesky")(account, draft())
    assert failed.value.retryable and "did not answer" in failed.value.reason


def test_an_image_too_large_for_bluesky_is_refused_before_any_call(account, pds):
    image = DraftImage(content=b"x" * 1_000_001, mime_type="image/jpeg", alt_text="", width=1, height=1)
    with pytest.raises(PublishFailed, match="1 MB"):
        publisher_for("bluesky")(account, draft(image=image))
    assert pds.api.requests == []
