"""Posting to Mastodon as the employee, on their own instance.

- The image first, if any: ``POST /api/v2/media`` (multipart: ``file``, ``description`` = the alt
  text) answers a MediaAttachment, 200 when processed or 202 while it still processes; then
  ``GET /api/v1/media/:id`` answers 206 while processing and 200 once it is ready.
- Then ``POST /api/v1/statuses`` (form: ``status``, ``media_ids[]``) with ``Idempotency-Key``:
  Mastodon remembers the key for an hour and answers the same status to a repeat, so a retry
  after a lost answer does not post twice. It answers the Status with ``id`` and ``url``.
  No ``visibility`` is sent: the employee's own default on their instance applies.

Errors carry ``{"error": "..."}``: 401/403 (token revoked, scope missing) → connect again; 422
(validation: too long, a file it refuses) → not retryable, in Mastodon's words; 429 → later, after
``X-RateLimit-Reset``; 5xx and no answer → later.
"""

from __future__ import annotations

import math
import time
from urllib.parse import quote, urlencode

from django.conf import settings
from urllib3.filepost import encode_multipart_formdata

from advocacy.http import ForbiddenAddress, HttpClient, HttpResponse, TransportError
from advocacy.ratelimit import retry_delay

from ..instances import instance_api
from ..models import ConnectedAccount
from . import Draft, DraftImage, Published, PublishFailed

# Seconds between looks at an image still processing: a few seconds in all, then "try later".
MEDIA_POLL_DELAYS = (0.5, 1.0, 1.5, 2.0, 3.0)
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}


def publish(account: ConnectedAccount, draft: Draft) -> Published:
    """Publish ``draft`` as the account's owner; PublishFailed with the instance's reason otherwise."""
    base, client = instance_api(account.instance_url, timeout=settings.CONNECTIONS_HTTP_TIMEOUT)
    auth = {"Authorization": f"Bearer {account.access_token}"}
    media_ids = [_upload(client, base, auth, draft.image)] if draft.image else []
    fields = [("status", draft.text), *(("media_ids[]", media_id) for media_id in media_ids)]
    headers = {**auth, "Content-Type": "application/x-www-form-urlencoded"}
    if draft.idempotency_key:
        headers["Idempotency-Key"] = draft.idempotency_key
    answer = _send(lambda: client.request("POST", f"{base}/api/v1/statuses", headers=headers, body=_form(fields)))
    status = answer.json() if answer.status == 200 else None
    if not isinstance(status, dict):
        raise _failure(answer, "publishing the post")
    if not status.get("id") or not status.get("url"):
        raise PublishFailed("Your instance answered without the new post's id or address.", retryable=False)
    return Published(post_id=str(status["id"]), url=str(status["url"]))


def _form(fields: list[tuple[str, str]]) -> bytes:
    return urlencode(fields).encode()


def _upload(client: HttpClient, base: str, auth: dict, image: DraftImage) -> str:
    extension = _EXTENSIONS.get(image.mime_type, "bin")
    body, content_type = encode_multipart_formdata(
        [("file", (f"image.{extension}", image.content, image.mime_type)), ("description", image.alt_text)]
    )
    headers = {**auth, "Content-Type": content_type}
    answer = _send(lambda: client.request("POST", f"{base}/api/v2/media", headers=headers, body=body))
    media = answer.json() if answer.status in (200, 202) else None
    if not isinstance(media, dict) or not media.get("id"):
        raise _failure(answer, "uploading the image")
    media_id = str(media["id"])
    if answer.status == 200 and media.get("url"):
        return media_id
    for delay in MEDIA_POLL_DELAYS:
        time.sleep(delay)
        answer = _send(lambda: client.get(f"{base}/api/v1/media/{quote(media_id, safe='')}", headers=auth))
        if answer.status == 200:
            return media_id
        if answer.status != 206:
            raise _failure(answer, "processing the image")
    raise PublishFailed("Your instance is still processing the image; try again in a minute.", retryable=True)


def _send(call) -> HttpResponse:
    try:
        return call()
    except ForbiddenAddress:
        raise PublishFailed("Your instance's address is not a public one, so we did not contact it.") from None
    except TransportError as exc:
        raise PublishFailed(f"Your instance did not answer ({exc}); try again later.", retryable=True) from None


def _failure(answer: HttpResponse, doing: str) -> PublishFailed:
    payload = answer.json()
    said = str(payload.get("error") or "").strip()[:300] if isinstance(payload, dict) else ""
    if answer.status in (401, 403):
        return PublishFailed(
            f"Your instance refused our token while {doing} (HTTP {answer.status}); connect Mastodon again.",
            reconnect=True,
        )
    if answer.status == 429:
        delay = math.ceil(retry_delay(answer.headers))
        return PublishFailed(
            f"Your instance asks us to slow down; we try again in {delay} seconds.", retryable=True, retry_after=delay
        )
    if answer.status >= 500:
        return PublishFailed(
            f"Your instance had a problem while {doing} (HTTP {answer.status}); try again later.", retryable=True
        )
    reason = f": {said}" if said else f" (HTTP {answer.status})"
    return PublishFailed(f"Your instance would not accept it while {doing}{reason}.")
