"""The networks' documented answers turned into mentions, with their text sanitised by nh3.

Bluesky ``app.bsky.feed.searchPosts`` answers ``{posts: [postView], cursor}``; a postView has
``uri``, ``cid``, ``author {did, handle, displayName}``, ``record {text, createdAt}`` and
``indexedAt``. Mastodon's tag timeline answers a list of Status entities: ``id``, ``uri``,
``created_at``, ``url``, ``content`` (HTML), ``account {acct, username, url}``, ``reblog``.
Anything malformed is skipped, never stored half-read.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import nh3

from advocacy.networks import Network

TEXT_MAX = 5000
_ALLOWED_TAGS = {"p", "br", "a"}


@dataclass(frozen=True)
class RemoteMention:
    network: str
    remote_id: str
    url: str
    author_handle: str
    author_name: str
    # Every identifier the author is known by (Bluesky handle and DID; Mastodon user@host):
    # what employees' declared and used handles are compared with.
    author_keys: frozenset[str]
    text_html: str
    posted_at: datetime


def sanitise_html(value: str) -> str:
    """Only paragraphs, line breaks and http(s) links survive; links open nothing on our behalf."""
    return nh3.clean(
        (value or "")[: TEXT_MAX * 2],
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel="nofollow noopener noreferrer ugc",
    )[:TEXT_MAX]


def _plain_to_html(text: str) -> str:
    return sanitise_html("<p>" + html.escape(text[:TEXT_MAX]).replace("\n", "<br>") + "</p>")


def _when(value) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def bluesky_mentions(payload) -> list[RemoteMention]:
    posts = payload.get("posts") if isinstance(payload, dict) else None
    found = []
    for view in posts if isinstance(posts, list) else []:
        if not isinstance(view, dict):
            continue
        author = view.get("author") if isinstance(view.get("author"), dict) else {}
        record = view.get("record") if isinstance(view.get("record"), dict) else {}
        uri, handle, did = str(view.get("uri") or ""), str(author.get("handle") or ""), str(author.get("did") or "")
        posted_at = _when(record.get("createdAt")) or _when(view.get("indexedAt"))
        if not uri.startswith("at://") or not handle or posted_at is None or len(uri) > 500:
            continue
        rkey = uri.rsplit("/", 1)[-1]
        found.append(
            RemoteMention(
                network=Network.BLUESKY,
                remote_id=uri,
                url=f"https://bsky.app/profile/{handle}/post/{rkey}",
                author_handle=handle.lower()[:253],
                author_name=str(author.get("displayName") or "")[:100],
                author_keys=frozenset(key.lower() for key in (handle, did) if key),
                text_html=_plain_to_html(str(record.get("text") or "")),
                posted_at=posted_at,
            )
        )
    return found


def mastodon_account_key(acct: str, *, instance: str) -> str:
    """``user@host`` for an account as an instance names it (local accounts have no host in ``acct``)."""
    acct = acct.strip().lstrip("@").lower()
    return acct if "@" in acct else f"{acct}@{instance.lower()}"


def mastodon_mentions(payload, *, instance: str) -> list[RemoteMention]:
    found = []
    for status in payload if isinstance(payload, list) else []:
        if not isinstance(status, dict) or status.get("reblog"):
            continue  # a boost is someone else's post, found on its own
        account = status.get("account") if isinstance(status.get("account"), dict) else {}
        acct = str(account.get("acct") or account.get("username") or "")
        posted_at = _when(status.get("created_at"))
        url = str(status.get("url") or "")
        remote_id = str(status.get("uri") or url or (f"https://{instance}/statuses/{status.get('id')}"))
        if not acct or posted_at is None or not str(status.get("id") or "") or len(remote_id) > 500:
            continue
        key = mastodon_account_key(acct, instance=instance)
        keys = {key}
        profile = str(account.get("url") or "")
        parts = urlsplit(profile)
        if parts.hostname and parts.path.startswith("/@"):
            keys.add(f"{parts.path[2:].strip('/').lower()}@{parts.hostname.lower()}")
        found.append(
            RemoteMention(
                network=Network.MASTODON,
                remote_id=remote_id,
                url=url if url.startswith(("https://", "http://")) and len(url) <= 500 else "",
                author_handle=f"@{key}"[:253],
                author_name=str(account.get("display_name") or "")[:100],
                author_keys=frozenset(keys),
                text_html=sanitise_html(str(status.get("content") or "")),
                posted_at=posted_at,
            )
        )
    return found
