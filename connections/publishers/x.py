"""Posting to X as the employee: the image first (when there is one), then the post.

- Image: ``POST /2/media/upload`` (JSON ``{"media": <base64>, "media_category": "tweet_image",
  "media_type"}``) answers ``{"data": {"id", "media_key", "size", "expires_after_secs", ...}}``;
  images need no processing wait (only video and GIFs do). Its alt text goes with
  ``POST /2/media/metadata`` ``{"id", "metadata": {"alt_text": {"text"}}}`` (at most 1,000 characters).
- Post: ``POST /2/tweets`` ``{"text", "media": {"media_ids": [...]}}`` answers 201
  ``{"data": {"id", "text"}}``; the post lives at ``https://x.com/<username>/status/<id>``.
- Errors are problem details (``{"title", "detail", "type", "status"}``): 401 an access token X no
  longer takes (refreshed once, then the account must be connected again), 403 a post X will
  not take (duplicate content, a plan that does not allow it: trying again changes nothing),
  429 with ``x-rate-limit-reset`` (epoch seconds), 5xx X's own trouble.

X has no idempotency key for posts; its duplicate-content refusal is what stops a retried
publish from posting the same text twice.
"""

from __future__ import annotations

import base64
import time

from django.conf import settings

from advocacy.http import HttpClient, HttpResponse, TransportError

from ..models import ConnectedAccount
from ..refresh import RefreshFailed, account_fresh, account_refresh
from ..services import connected_account_problem_record
from . import Draft, DraftImage, Published, PublishFailed, refresh_refusal

ALT_TEXT_MAX = 1000


class _TokenRefused(Exception):
    """X answered 401: the access token no longer works."""


def publish(account: ConnectedAccount, draft: Draft) -> Published:
    account = _fresh(account)
    try:
        return _publish(account, draft)
    except _TokenRefused:
        pass
    # The token lapsed or was refused early: one refresh, one more try, then the employee reconnects.
    if account.refresh_token_encrypted:
        try:
            account = account_refresh(account)
        except RefreshFailed as exc:
            raise refresh_refusal(exc, reconnect_reason=_RECONNECT) from None
        try:
            return _publish(account, draft)
        except _TokenRefused:
            pass
    connected_account_problem_record(account_id=account.pk, detail="X refused the account's token.")
    raise PublishFailed(_RECONNECT, reconnect=True)


_RECONNECT = "X no longer accepts this connection: connect your X account again."


def _fresh(account: ConnectedAccount) -> ConnectedAccount:
    try:
        return account_fresh(account)
    except RefreshFailed as exc:
        raise refresh_refusal(exc, reconnect_reason=_RECONNECT) from None


def _publish(account: ConnectedAccount, draft: Draft) -> Published:
    token = account.access_token
    payload: dict = {"text": draft.text}
    if draft.image is not None:
        payload["media"] = {"media_ids": [_upload(token, draft.image)]}
    answer = _post(token, "/2/tweets", payload)
    data = _json(answer).get("data")
    if not isinstance(data, dict) or not str(data.get("id") or "").isdigit():
        # Published or not, we cannot tell: not retried, so it is never posted twice.
        raise PublishFailed("X answered without the new post's id; check your X profile before trying again.")
    post_id = str(data["id"])
    username = account.handle.lstrip("@")
    return Published(post_id=post_id, url=f"https://x.com/{username}/status/{post_id}")


def _upload(token: str, image: DraftImage) -> str:
    body = {
        "media": base64.b64encode(image.content).decode(),
        "media_category": "tweet_image",
        "media_type": image.mime_type,
    }
    data = _json(_post(token, "/2/media/upload", body)).get("data")
    if not isinstance(data, dict) or not str(data.get("id") or "").isdigit():
        raise PublishFailed("X took the image but did not say its id; try again.", retryable=True)
    media_id = str(data["id"])
    if image.alt_text.strip():
        _post(
            token,
            "/2/media/metadata",
            {"id": media_id, "metadata": {"alt_text": {"text": image.alt_text[:ALT_TEXT_MAX]}}},
        )
    return media_id


def _post(token: str, path: str, payload: dict) -> HttpResponse:
    url = f"{settings.METRICS_X_API_URL.rstrip('/')}{path}"
    try:
        answer = HttpClient(timeout=settings.METRICS_HTTP_TIMEOUT).post_json(
            url, payload=payload, headers={"Authorization": f"Bearer {token}"}
        )
    except TransportError as exc:
        raise PublishFailed(f"X did not answer ({exc}); we will try again.", retryable=True) from None
    if answer.status in (200, 201):
        return answer
    if answer.status == 401:
        raise _TokenRefused
    detail = _detail(answer)
    if answer.status == 403:
        raise PublishFailed(f"X refused the post: {detail}")
    if answer.status == 429:
        raise PublishFailed(
            f"X's rate limit is reached: {detail}", retryable=True, retry_after=_rate_limit_wait(answer)
        )
    if answer.status >= 500:
        raise PublishFailed(f"X had a problem (HTTP {answer.status}); we will try again.", retryable=True)
    raise PublishFailed(f"X did not take the post: {detail}")


def _json(answer: HttpResponse) -> dict:
    payload = answer.json()
    return payload if isinstance(payload, dict) else {}


def _detail(answer: HttpResponse) -> str:
    payload = _json(answer)
    errors = payload.get("errors")
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    for text in (payload.get("detail"), first.get("message"), first.get("detail"), payload.get("title")):
        if isinstance(text, str) and text.strip():
            return text.strip()[:300]
    return f"HTTP {answer.status}"


def _rate_limit_wait(answer: HttpResponse) -> int | None:
    reset = (answer.headers.get("x-rate-limit-reset") or "").strip()
    if not reset.isdigit():
        return None
    return max(1, int(reset) - int(time.time()))
