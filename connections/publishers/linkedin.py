"""Posting to LinkedIn as the member: the versioned Posts API, with an image from the Images API.

Every call carries ``Authorization: Bearer``, ``LinkedIn-Version: YYYYMM`` and
``X-Restli-Protocol-Version: 2.0.0`` and goes to ``METRICS_LINKEDIN_API_URL``.

- With an image: ``POST /rest/images?action=initializeUpload`` with
  ``{"initializeUploadRequest": {"owner": "urn:li:person:{id}"}}`` answers
  ``{"value": {"uploadUrl", "image": "urn:li:image:…", "uploadUrlExpiresAt"}}``; the bytes go to
  ``uploadUrl`` with a ``PUT`` (201), and the post's ``content.media`` is ``{id, altText}``.
- Without one: an article, ``content.article`` with ``source`` (the tracked link), ``title``,
  ``description`` and the card's ``thumbnail`` image urn when there is a thumbnail to upload.
- ``POST /rest/posts`` answers 201 with the new post's urn (``urn:li:share:…`` or
  ``urn:li:ugcPost:…``) in ``x-restli-id``.

``commentary`` is in LinkedIn's "little" text format, where ``\\ | { } @ [ ] ( ) < > # * _ ~``
are markup: unescaped, LinkedIn may cut the post at the first one. They are backslash-escaped,
except in URLs (left whole so LinkedIn links them) and ``#`` starting a hashtag (kept a hashtag).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings

from advocacy.http import HttpClient, HttpResponse, TransportError

from ..models import ConnectedAccount
from ..refresh import RefreshFailed, account_fresh
from . import Draft, DraftImage, Published, PublishFailed, refresh_refusal

POST_URL = "https://www.linkedin.com/feed/update/{urn}/"
_RESERVED = re.compile(r"[\\|{}@\[\]()<>#*_~]")
# A URL runs to the next whitespace; a hashtag is # followed by a letter, digit or underscore.
_URL_OR_HASHTAG = re.compile(r"https?://\S+|#(?=\w)", re.IGNORECASE)
# The upload URL comes from LinkedIn's answer: our member's token only goes to LinkedIn's own hosts.
_LINKEDIN_UPLOAD_HOST = re.compile(r"(?:[a-z0-9-]+\.)*linkedin\.com", re.IGNORECASE)


def little_text_escape(text: str) -> str:
    """``text`` as plain text in LinkedIn's little format, URLs and hashtags left as they are."""
    out, position = [], 0
    for match in _URL_OR_HASHTAG.finditer(text):
        out.append(_RESERVED.sub(lambda m: "\\" + m.group(), text[position : match.start()]))
        out.append(match.group())
        position = match.end()
    out.append(_RESERVED.sub(lambda m: "\\" + m.group(), text[position:]))
    return "".join(out)


def person_urn(account: ConnectedAccount) -> str:
    return f"urn:li:person:{account.remote_account_id}"


class _LinkedIn:
    def __init__(self, account: ConnectedAccount):
        self.account = account
        self.base = settings.METRICS_LINKEDIN_API_URL.rstrip("/")
        self.http = HttpClient(timeout=settings.METRICS_HTTP_TIMEOUT)
        self.token = account.access_token

    def headers(self, **extra: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.token}",
            "LinkedIn-Version": settings.METRICS_LINKEDIN_VERSION,
            "X-Restli-Protocol-Version": "2.0.0",
            **extra,
        }

    def post_json(self, path: str, payload: dict, *, doing: str) -> HttpResponse:
        try:
            response = self.http.post_json(f"{self.base}{path}", payload=payload, headers=self.headers())
        except TransportError as exc:
            raise PublishFailed(f"LinkedIn did not answer while {doing} ({exc}).", retryable=True) from None
        _raise_for(response, doing=doing)
        return response

    def image_upload(self, image: DraftImage) -> str:
        """Upload the image; its ``urn:li:image:…``."""
        answer = self.post_json(
            "/rest/images?action=initializeUpload",
            {"initializeUploadRequest": {"owner": person_urn(self.account)}},
            doing="preparing the image upload",
        ).json()
        value = answer.get("value") if isinstance(answer, dict) else None
        upload_url = value.get("uploadUrl") if isinstance(value, dict) else None
        image_urn = value.get("image") if isinstance(value, dict) else None
        if not isinstance(upload_url, str) or not isinstance(image_urn, str) or not image_urn.startswith("urn:li:"):
            raise PublishFailed("LinkedIn's answer to the image upload had no upload address.", retryable=True)
        if not self._upload_host_allowed(upload_url):
            raise PublishFailed("LinkedIn gave an upload address outside LinkedIn; the image was not sent.")
        try:
            response = self.http.request(
                "PUT", upload_url, headers={**self.headers(), "Content-Type": image.mime_type}, body=image.content
            )
        except TransportError as exc:
            raise PublishFailed(f"LinkedIn did not answer while receiving the image ({exc}).", retryable=True) from None
        _raise_for(response, doing="uploading the image")
        return image_urn

    def _upload_host_allowed(self, url: str) -> bool:
        parts, api = urlsplit(url), urlsplit(self.base)
        if (parts.scheme, parts.netloc) == (api.scheme, api.netloc):
            return True  # the configured API's own host (a proxy, the test server)
        return parts.scheme == "https" and bool(_LINKEDIN_UPLOAD_HOST.fullmatch(parts.hostname or ""))


def _message(response: HttpResponse) -> str:
    """LinkedIn's own words for a refusal (``{"message", "status", "serviceErrorCode"}``)."""
    payload = response.json()
    if isinstance(payload, dict) and isinstance(payload.get("message"), str) and payload["message"].strip():
        return payload["message"].strip()[:300]
    return f"HTTP {response.status}"


def _retry_after(response: HttpResponse) -> int | None:
    value = (response.headers.get("Retry-After") or "").strip()
    return int(value) if value.isdigit() else None


def _raise_for(response: HttpResponse, *, doing: str) -> None:
    status = response.status
    if 200 <= status < 300:
        return
    if status == 401:
        raise PublishFailed(
            "LinkedIn no longer accepts this account's token (revoked or expired): connect LinkedIn again.",
            reconnect=True,
        )
    if status == 403:
        raise PublishFailed(
            f"LinkedIn refused {doing}: the app lacks a permission for it ({_message(response)}). "
            "Share with the LinkedIn share page instead, or ask an admin to check the app's products."
        )
    if status == 429:
        raise PublishFailed(
            "LinkedIn's posting limit was reached; it will be tried again later.",
            retryable=True,
            retry_after=_retry_after(response),
        )
    if status >= 500:
        raise PublishFailed(
            f"LinkedIn had a problem while {doing} (HTTP {status}); it will be tried again.", retryable=True
        )
    raise PublishFailed(f"LinkedIn refused the post while {doing}: {_message(response)}")


def _content(client: _LinkedIn, draft: Draft) -> dict:
    if draft.image is not None:
        return {"media": {"id": client.image_upload(draft.image), "altText": draft.image.alt_text[:4086]}}
    article = {"source": draft.link.url, "title": draft.link.title[:400]}
    if draft.link.description:
        article["description"] = draft.link.description[:4086]
    if draft.link.thumbnail is not None:
        article["thumbnail"] = client.image_upload(draft.link.thumbnail)
    return {"article": article}


def publish(account: ConnectedAccount, draft: Draft) -> Published:
    """Post ``draft`` as the account's member; where the post now lives, or PublishFailed."""
    try:
        account = account_fresh(account)
    except RefreshFailed as exc:
        raise refresh_refusal(exc) from None
    client = _LinkedIn(account)
    body = {
        "author": person_urn(account),
        "commentary": little_text_escape(draft.text),
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        "content": _content(client, draft),
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    response = client.post_json("/rest/posts", body, doing="publishing the post")
    urn = (response.headers.get("x-restli-id") or "").strip()
    if not re.fullmatch(r"urn:li:(?:share|ugcPost):[0-9]{1,25}", urn):
        raise PublishFailed(
            "LinkedIn published nothing we can link to (no post id came back); check your LinkedIn feed before "
            "trying again."
        )
    return Published(post_id=urn, url=POST_URL.format(urn=urn))
