"""Posting to Threads as the employee: a media container, published, then its permalink.

- Container: ``POST /{threads-user-id}/threads`` with ``media_type=TEXT`` and ``text`` (plus
  ``link_attachment``, the link preview Threads offers on text-only posts: our tracked link), or
  ``media_type=IMAGE`` with ``image_url``, ``text`` and ``alt_text``. Threads downloads the image
  itself from ``image_url``, so it must be on a public server: the draft gives the rendition's
  absolute address under SITE_URL (``DraftImage.public_url``). Without one the post goes as text
  with the link preview, which shows the link's own image.
- Ready: an image container is processed first; ``GET /{container-id}?fields=status,error_message``
  says ``IN_PROGRESS``, ``FINISHED`` (ready), ``ERROR`` (with why), ``EXPIRED`` or ``PUBLISHED``.
- Publish: ``POST /{threads-user-id}/threads_publish`` with ``creation_id`` answers the post's id.
- Address: ``GET /{media-id}?fields=permalink,shortcode`` gives ``https://www.threads.net/@user/post/<code>``.

The metrics provider reads a published post's insights with the same account's token by
that id (``Published.post_id`` is the numeric media id, which it takes as it is).

Errors are Graph errors (``{"error": {"message", "code", "error_user_msg"?}}``): code 190 or
HTTP 401 a token Threads no longer takes, codes 4, 17, 32 and 613 rate limits, 5xx Threads' own.
"""

from __future__ import annotations

import time
from urllib.parse import quote, urlencode

from django.conf import settings

from advocacy.http import HttpClient, HttpResponse, TransportError

from ..models import ConnectedAccount
from ..refresh import RefreshFailed, account_fresh
from ..services import connected_account_problem_record
from . import Draft, Published, PublishFailed, refresh_refusal

ALT_TEXT_MAX = 1000
# Threads asks for a container's status to be checked at intervals rather than hammered.
STATUS_CHECKS = 10
STATUS_INTERVAL_SECONDS = 3.0
_RATE_LIMIT_CODES = {4, 17, 32, 613}
_TOKEN_CODES = {190}
_RECONNECT = "Threads no longer accepts this connection: connect your Threads account again."

# Replaced in tests so waiting for a container costs nothing.
_sleep = time.sleep


def publish(account: ConnectedAccount, draft: Draft) -> Published:
    try:
        account = account_fresh(account)
    except RefreshFailed as exc:
        raise refresh_refusal(exc, reconnect_reason=_RECONNECT) from None
    try:
        return _publish(account, draft)
    except _TokenRefused:
        connected_account_problem_record(account_id=account.pk, detail="Threads refused the account's token.")
        raise PublishFailed(_RECONNECT, reconnect=True) from None


class _TokenRefused(Exception):
    pass


def _publish(account: ConnectedAccount, draft: Draft) -> Published:
    call = _Graph(account.access_token)
    user = quote(account.remote_account_id, safe="")
    image = draft.image if draft.image is not None and draft.image.public_url else None
    if image is not None:
        fields = {
            "media_type": "IMAGE",
            "image_url": image.public_url,
            "text": draft.text,
            "alt_text": image.alt_text[:ALT_TEXT_MAX],
        }
    else:
        fields = {"media_type": "TEXT", "text": draft.text, "link_attachment": draft.link.url}
    container = _id(call.post(f"/{user}/threads", fields), "the post")
    if image is not None:
        _wait_until_ready(call, container)
    media_id = _id(call.post(f"/{user}/threads_publish", {"creation_id": container}), "the published post")
    return Published(post_id=media_id, url=_permalink(call, media_id, username=account.handle))


def _id(payload: dict, what: str) -> str:
    value = str(payload.get("id") or "")
    if not value.isdigit():
        raise PublishFailed(f"Threads answered without an id for {what}; try again.", retryable=True)
    return value


def _wait_until_ready(call: _Graph, container: str) -> None:
    for _ in range(STATUS_CHECKS):
        _sleep(STATUS_INTERVAL_SECONDS)
        answer = call.get(f"/{quote(container, safe='')}", {"fields": "status,error_message"})
        status = answer.get("status")
        if status == "FINISHED":
            return
        if status == "ERROR":
            why = answer.get("error_message") or "no reason given"
            raise PublishFailed(f"Threads could not use the image ({why}).")
        if status == "EXPIRED":
            raise PublishFailed("Threads let the prepared post expire; we will try again.", retryable=True)
    raise PublishFailed("Threads is still processing the image; we will try again.", retryable=True)


def _permalink(call: _Graph, media_id: str, *, username: str) -> str:
    # The post is out: from here on nothing may be retried, or it would be posted twice.
    for _ in range(2):
        try:
            answer = call.get(f"/{quote(media_id, safe='')}", {"fields": "permalink,shortcode"})
        except (PublishFailed, _TokenRefused):
            continue
        permalink = answer.get("permalink")
        if isinstance(permalink, str) and permalink.startswith("https://"):
            return permalink
        if answer.get("shortcode"):
            return f"https://www.threads.net/@{username}/post/{answer['shortcode']}"
    raise PublishFailed(
        "Threads published the post but did not say where it is; paste its link from Threads to count it."
    )


class _Graph:
    """Calls to the Threads Graph API with the account's token in the Authorization header."""

    def __init__(self, token: str):
        self._headers = {"Authorization": f"Bearer {token}"}
        self._client = HttpClient(timeout=settings.METRICS_HTTP_TIMEOUT)
        self._base = settings.METRICS_THREADS_API_URL.rstrip("/")

    def post(self, path: str, fields: dict[str, str]) -> dict:
        return self._answer(lambda: self._client.post_form(f"{self._base}{path}", fields=fields, headers=self._headers))

    def get(self, path: str, query: dict[str, str]) -> dict:
        return self._answer(lambda: self._client.get(f"{self._base}{path}?{urlencode(query)}", headers=self._headers))

    @staticmethod
    def _answer(send) -> dict:
        try:
            answer = send()
        except TransportError as exc:
            raise PublishFailed(f"Threads did not answer ({exc}); we will try again.", retryable=True) from None
        payload = answer.json()
        if answer.status == 200 and isinstance(payload, dict):
            return payload
        error = payload.get("error") if isinstance(payload, dict) else None
        error = error if isinstance(error, dict) else {}
        code = error.get("code")
        if answer.status == 401 or code in _TOKEN_CODES:
            raise _TokenRefused
        if answer.status == 429 or code in _RATE_LIMIT_CODES:
            raise PublishFailed(
                "Threads' rate limit is reached; we will try again later.",
                retryable=True,
                retry_after=_retry_after(answer),
            )
        if answer.status >= 500:
            raise PublishFailed(f"Threads had a problem (HTTP {answer.status}); we will try again.", retryable=True)
        message = error.get("error_user_msg") or error.get("message") or f"HTTP {answer.status}"
        raise PublishFailed(f"Threads did not take the post: {str(message)[:300]}")


def _retry_after(answer: HttpResponse) -> int | None:
    value = (answer.headers.get("Retry-After") or "").strip()
    return int(value) if value.isdigit() else None
