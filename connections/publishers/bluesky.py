"""Posting to Bluesky as the employee, at their PDS, with the session their app password opened.

- The image, or the link card's thumbnail: ``POST /xrpc/com.atproto.repo.uploadBlob`` with the
  raw bytes (``Content-Type`` the image's type) answers ``{"blob": {"$type": "blob", "ref":
  {"$link"}, "mimeType", "size"}}``; Bluesky takes images up to 1,000,000 bytes.
- The post: ``POST /xrpc/com.atproto.repo.createRecord`` ``{"repo": <did>, "collection":
  "app.bsky.feed.post", "record": {"$type", "text", "createdAt", "langs"?, "facets"?, "embed"?}}``
  answers ``{"uri": "at://<did>/app.bsky.feed.post/<rkey>", "cid"}``. Links and hashtags in the
  text are facets whose ``byteStart``/``byteEnd`` count UTF-8 bytes, not characters. The embed is
  the image (``app.bsky.embed.images`` with its alt text) or else the tracked link's card
  (``app.bsky.embed.external``: uri, title, description, thumbnail blob), so the link previews.
- The post lives at ``https://bsky.app/profile/<handle>/post/<rkey>``.

Errors are ``{"error", "message"}``: an expired or refused access token (``ExpiredToken``,
``InvalidToken``, 401) gets one refresh and one more try, then "connect again"; 400
``InvalidRequest`` is shown in Bluesky's words; 429 waits for ``RateLimit-Reset``; 5xx and no
answer are retried later. createRecord has no idempotency key (``Draft.idempotency_key`` is not
sent): a retry after a 5xx or a timeout that Bluesky had in fact published can post twice. An
answer without the new post's address is not retried.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

from django.conf import settings

from advocacy.http import ForbiddenAddress, HttpResponse, TransportError
from advocacy.ratelimit import retry_delay

from ..flows.bluesky import pds_client, xrpc_error
from ..models import ConnectedAccount
from ..refresh import RefreshFailed, account_fresh, account_refresh
from ..services import connected_account_problem_record
from . import Draft, DraftImage, Published, PublishFailed, refresh_refusal

BLOB_MAX_BYTES = 1_000_000
ALT_TEXT_MAX = 2000
TITLE_MAX, DESCRIPTION_MAX = 300, 1000
_TOKEN_ERRORS = {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing"}
_RECONNECT = "Bluesky no longer accepts this connection: connect your Bluesky account again."

# A link as people write it (the tracked link among them), without the punctuation that ends a sentence.
_LINK = re.compile(r"https?://[^\s<>\"]+")
_TRAILING = ".,;:!?)]}'\"»”’"
# A hashtag as Bluesky's own apps find it: after a space or the start, not all digits, at most 64 characters.
_TAG = re.compile(r"(?:^|(?<=\s))[#＃](?P<tag>[^\s\u00AD\u2060\u200A\u200B\u200C\u200D\u20e2#＃]+)")


class _TokenRefused(Exception):
    """The PDS refused the access token."""


def publish(account: ConnectedAccount, draft: Draft) -> Published:
    """Publish ``draft`` as the account's owner; PublishFailed with Bluesky's reason otherwise."""
    account = _fresh(account)
    try:
        return _publish(account, draft)
    except _TokenRefused:
        pass
    # Refused before the stored expiry (revoked, the PDS's clock): one refresh, one more try.
    try:
        account = account_refresh(account)
    except RefreshFailed as exc:
        raise refresh_refusal(exc, reconnect_reason=_RECONNECT) from None
    try:
        return _publish(account, draft)
    except _TokenRefused:
        pass
    connected_account_problem_record(account_id=account.pk, detail="Bluesky refused the account's session.")
    raise PublishFailed(_RECONNECT, reconnect=True)


def _fresh(account: ConnectedAccount) -> ConnectedAccount:
    try:
        return account_fresh(account)
    except RefreshFailed as exc:
        raise refresh_refusal(exc, reconnect_reason=_RECONNECT) from None


def _publish(account: ConnectedAccount, draft: Draft) -> Published:
    record: dict = {
        "$type": "app.bsky.feed.post",
        "text": draft.text,
        "createdAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    if draft.lang:
        record["langs"] = [draft.lang]
    facets = text_facets(draft.text)
    if facets:
        record["facets"] = facets
    record["embed"] = _embed(account, draft)
    body = {"repo": account.remote_account_id, "collection": "app.bsky.feed.post", "record": record}
    answer = _send(account, "com.atproto.repo.createRecord", json_body=body, doing="publishing the post")
    payload = answer.json()
    uri = str(payload.get("uri") or "") if isinstance(payload, dict) else ""
    if not uri.startswith("at://") or "/app.bsky.feed.post/" not in uri:
        # Published or not, we cannot tell: not retried, so it is never posted twice.
        raise PublishFailed("Bluesky answered without the new post's address; check your profile before trying again.")
    rkey = uri.rsplit("/", 1)[1]
    return Published(post_id=uri, url=f"https://bsky.app/profile/{account.handle}/post/{rkey}")


def _embed(account: ConnectedAccount, draft: Draft) -> dict:
    if draft.image is not None:
        if len(draft.image.content) > BLOB_MAX_BYTES:
            raise PublishFailed("The image is larger than the 1 MB Bluesky takes; choose a smaller rendition.")
        image = {"image": _upload(account, draft.image), "alt": draft.image.alt_text[:ALT_TEXT_MAX]}
        if draft.image.width and draft.image.height:
            image["aspectRatio"] = {"width": draft.image.width, "height": draft.image.height}
        return {"$type": "app.bsky.embed.images", "images": [image]}
    card = draft.link
    external = {
        "uri": card.url,
        "title": card.title[:TITLE_MAX],
        "description": card.description[:DESCRIPTION_MAX],
    }
    thumbnail = card.thumbnail
    if thumbnail is not None and len(thumbnail.content) <= BLOB_MAX_BYTES:
        # A thumbnail too large for Bluesky is left out: the card still previews the link.
        external["thumb"] = _upload(account, thumbnail)
    return {"$type": "app.bsky.embed.external", "external": external}


def _upload(account: ConnectedAccount, image: DraftImage) -> dict:
    answer = _send(
        account,
        "com.atproto.repo.uploadBlob",
        raw_body=image.content,
        content_type=image.mime_type,
        doing="uploading the image",
    )
    payload = answer.json()
    blob = payload.get("blob") if isinstance(payload, dict) else None
    if not isinstance(blob, dict) or not isinstance(blob.get("ref"), dict):
        raise PublishFailed("Bluesky took the image but did not describe it; try again.", retryable=True)
    return blob


def text_facets(text: str) -> list[dict]:
    """Link and hashtag facets for ``text``, their ranges in UTF-8 bytes as Bluesky counts them."""
    facets = []

    def byte_range(start: int, end: int) -> dict:
        return {"byteStart": len(text[:start].encode()), "byteEnd": len(text[:end].encode())}

    for match in _LINK.finditer(text):
        url = match.group().rstrip(_TRAILING)
        if url.count("(") > url.count(")") and match.group()[len(url) : len(url) + 1] == ")":
            url += ")"  # a closing bracket that belongs to the link (Wikipedia's addresses)
        if len(url) <= len("https://"):
            continue
        facets.append(
            {
                "index": byte_range(match.start(), match.start() + len(url)),
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}],
            }
        )
    for match in _TAG.finditer(text):
        tag = match["tag"].rstrip(_TRAILING)
        if not tag or tag.isdigit() or len(tag) > 64:
            continue
        start = match.start("tag") - 1
        facets.append(
            {
                "index": byte_range(start, match.start("tag") + len(tag)),
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
            }
        )
    return sorted(facets, key=lambda facet: facet["index"]["byteStart"])


def _send(
    account: ConnectedAccount,
    method: str,
    *,
    doing: str,
    json_body: dict | None = None,
    raw_body: bytes | None = None,
    content_type: str = "",
) -> HttpResponse:
    pds_url = account.instance_url or settings.CONNECTIONS_BLUESKY_SERVICE_URL.rstrip("/")
    url = f"{pds_url}/xrpc/{method}"
    headers = {"Authorization": f"Bearer {account.access_token}"}
    client = pds_client(pds_url)
    try:
        if json_body is not None:
            answer = client.post_json(url, payload=json_body, headers=headers)
        else:
            answer = client.request("POST", url, headers={**headers, "Content-Type": content_type}, body=raw_body)
    except ForbiddenAddress:
        raise PublishFailed("Your Bluesky server (PDS) is not at a public address, so we did not contact it.") from None
    except TransportError as exc:
        raise PublishFailed(f"Bluesky did not answer ({exc}); we will try again.", retryable=True) from None
    if answer.status == 200:
        return answer
    error, message = xrpc_error(answer)
    if answer.status == 401 or error in _TOKEN_ERRORS:
        raise _TokenRefused
    said = message or error or f"HTTP {answer.status}"
    if answer.status == 429:
        delay = math.ceil(retry_delay(answer.headers))
        raise PublishFailed(
            f"Bluesky asks us to slow down; we try again in {delay} seconds.", retryable=True, retry_after=delay
        )
    if answer.status >= 500:
        raise PublishFailed(
            f"Bluesky had a problem while {doing} (HTTP {answer.status}); we will try again.", retryable=True
        )
    if answer.status == 403:
        raise PublishFailed(f"Bluesky refused this account while {doing}: {said}.")
    if answer.status == 413:
        raise PublishFailed("The image is larger than Bluesky takes; choose a smaller rendition.")
    raise PublishFailed(f"Bluesky did not accept it while {doing}: {said}.")
