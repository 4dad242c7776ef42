"""Reading public mentions from the networks: Bluesky's searchPosts and Mastodon tag timelines.

Only the URLs the settings name are called (``LISTENING_BLUESKY_SEARCH_URL``, the hosts of
``LISTENING_MASTODON_INSTANCES``), with the metrics app's GET client (timeouts, no redirects,
no proxy) and its reading of rate-limit headers. A failure never raises: the read says
what went wrong and when to ask again, and the caller records it on the source.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from django.conf import settings

from advocacy.http import HttpClient, TransportError
from metrics.providers.ratelimit import retry_delay

from .parsing import RemoteMention, bluesky_mentions, mastodon_mentions

BLUESKY_PAGE = 100  # searchPosts' largest page
MASTODON_PAGE = 40  # the tag timeline's largest page


@dataclass
class Read:
    mentions: list[RemoteMention] = field(default_factory=list)
    error: str = ""
    # Seconds to wait before asking this source again (a 429).
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return not self.error


def _client() -> HttpClient:
    return HttpClient(timeout=settings.METRICS_HTTP_TIMEOUT)


def _pages(
    fetch: Callable[[str], tuple[object, str]],
    parse: Callable[[object], list[RemoteMention]],
    next_cursor: Callable[[object, list[RemoteMention]], str],
    *,
    label: str,
    known: Callable[[list[RemoteMention]], bool],
) -> Read:
    """Read newest first, page after page, until a page holds a post we have, or LISTENING_MAX_PAGES."""
    read, cursor = Read(), ""
    for _ in range(settings.LISTENING_MAX_PAGES):
        try:
            answer = fetch(cursor)
        except TransportError as exc:
            read.error = f"{label}: {exc}"
            return read
        if answer.status == 429:
            read.error = f"{label} answered HTTP 429 (rate limited)"
            read.retry_after = retry_delay(answer.headers)
            return read
        if not 200 <= answer.status < 300:
            read.error = f"{label} answered HTTP {answer.status}"
            return read
        try:
            payload = json.loads(answer.body)
        except (ValueError, UnicodeDecodeError):
            read.error = f"{label} answered something that is not JSON"
            return read
        page = parse(payload)
        read.mentions.extend(page)
        cursor = next_cursor(payload, page)
        if not cursor or not page or known(page):
            break
    return read


def bluesky_search(*, term: str, is_handle: bool, known, client: HttpClient | None = None) -> Read:
    """Posts matching a hashtag (``q=#tag``) or mentioning a handle (``mentions=``), newest first."""
    base = settings.LISTENING_BLUESKY_SEARCH_URL.rstrip("/")
    client = client or _client()
    query = {"q": term, "sort": "latest", "limit": BLUESKY_PAGE}
    if is_handle:
        query.update(q=term, mentions=term)

    def fetch(cursor: str):
        params = {**query, **({"cursor": cursor} if cursor else {})}
        return client.get(f"{base}/xrpc/app.bsky.feed.searchPosts?{urlencode(params)}", headers={})

    def next_cursor(payload, _page):
        cursor = payload.get("cursor") if isinstance(payload, dict) else None
        return cursor if isinstance(cursor, str) else ""

    return _pages(fetch, bluesky_mentions, next_cursor, label="Bluesky", known=known)


def mastodon_tag_timeline(*, instance: str, base_url: str, hashtag: str, known, client=None) -> Read:
    """Public statuses with ``hashtag`` on one instance (``GET /api/v1/timelines/tag/:hashtag``), newest first."""
    client = client or _client()
    tag = quote(hashtag.lstrip("#"), safe="")

    def fetch(max_id: str):
        params = {"limit": MASTODON_PAGE, **({"max_id": max_id} if max_id else {})}
        return client.get(f"{base_url.rstrip('/')}/api/v1/timelines/tag/{tag}?{urlencode(params)}", headers={})

    def next_cursor(payload, _page):
        # The next page holds the statuses older than this page's last one; a short page was the last.
        if not isinstance(payload, list) or len(payload) < MASTODON_PAGE:
            return ""
        last = payload[-1]
        return str(last["id"]) if isinstance(last, dict) and last.get("id") is not None else ""

    return _pages(
        fetch,
        lambda payload: mastodon_mentions(payload, instance=instance),
        next_cursor,
        label=f"Mastodon {instance}",
        known=known,
    )
