"""A fake Bluesky AppView and fake Mastodon instances on one loopback server, in the documented formats.

``searchPosts`` answers ``{posts: [postView], cursor}`` and filters by ``q`` (a hashtag in
the text) or ``mentions`` (a handle mentioned in the text), newest first, paged by ``cursor``;
each instance's ``/api/v1/timelines/tag/:hashtag`` answers a list of Status entities, newest
first, paged by ``max_id``. Tests publish posts on it and may make any route fail.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tests.metrics.conftest import FakeApi, Reply, SeenRequest

INSTANCES = ("mastodon.example", "fosstodon.example")
_ids = itertools.count(1)


def _did(handle: str) -> str:
    digest = hashlib.sha256(handle.encode()).hexdigest()
    return "did:plc:" + "".join(
        "abcdefghijklmnopqrstuvwxyz234567"[int(digest[i : i + 2], 16) % 32] for i in range(0, 48, 2)
    )


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class FakeListening:
    api: FakeApi
    bluesky: list[dict] = field(default_factory=list)
    # instance -> statuses it shows (a status federated to two instances has one uri and two ids)
    mastodon: dict[str, list[dict]] = field(default_factory=lambda: {instance: [] for instance in INSTANCES})
    failures: dict[str, Reply] = field(default_factory=dict)

    def configure(self, settings, instances=INSTANCES) -> None:
        settings.LISTENING_BLUESKY_SEARCH_URL = self.api.url
        settings.LISTENING_MASTODON_INSTANCES = {instance: f"{self.api.url}/{instance}" for instance in instances}
        self.api.route("/xrpc/app.bsky.feed.searchPosts", self._search)
        for instance in INSTANCES:
            self.api.route(f"/{instance}/api/v1/timelines/tag/", self._tag_timeline(instance), prefix=True)

    def fail(self, route: str, reply: Reply) -> None:
        """Answer ``route`` ("bluesky" or an instance) with ``reply`` until ``heal``."""
        self.failures[route] = reply

    def heal(self, route: str) -> None:
        self.failures.pop(route, None)

    # --- publishing ------------------------------------------------------------------------------
    def skeet(self, *, handle: str, text: str, when: datetime, name: str = "") -> str:
        did = _did(handle)
        uri = f"at://{did}/app.bsky.feed.post/3k{next(_ids):011d}"
        self.bluesky.append(
            {
                "uri": uri,
                "cid": f"bafyreig{next(_ids):020d}",
                "author": {"did": did, "handle": handle, "displayName": name or handle.split(".")[0].title()},
                "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": _stamp(when), "langs": ["en"]},
                "indexedAt": _stamp(when),
                "replyCount": 0,
                "repostCount": 0,
                "likeCount": 0,
                "quoteCount": 0,
                "labels": [],
            }
        )
        return uri

    def toot(self, *, username: str, home: str, content: str, when: datetime, on=INSTANCES[:1]) -> str:
        """A status by ``username@home`` shown on each instance in ``on`` (its own id on each)."""
        number = next(_ids)
        uri = f"https://{home}/users/{username}/statuses/{number}"
        for instance in on:
            local = instance == home
            self.mastodon[instance].append(
                {
                    "id": str(100_000 + number * 10 + INSTANCES.index(instance)),
                    "created_at": _stamp(when),
                    "in_reply_to_id": None,
                    "sensitive": False,
                    "spoiler_text": "",
                    "visibility": "public",
                    "language": "en",
                    "uri": uri,
                    "url": f"https://{home}/@{username}/{number}",
                    "replies_count": 0,
                    "reblogs_count": 0,
                    "favourites_count": 0,
                    "content": content,
                    "reblog": None,
                    "account": {
                        "id": str(number),
                        "username": username,
                        "acct": username if local else f"{username}@{home}",
                        "display_name": username.title(),
                        "url": f"https://{home}/@{username}",
                    },
                    "media_attachments": [],
                    "mentions": [],
                    "tags": [
                        {"name": name.lower(), "url": f"https://{instance}/tags/{name.lower()}"}
                        for name in re.findall(r"#(\w+)", re.sub(r"<[^>]+>", "", content))
                    ],
                }
            )
        return uri

    # --- answers -------------------------------------------------------------------------------------
    def _search(self, request: SeenRequest) -> Reply:
        if "bluesky" in self.failures:
            return self.failures["bluesky"]
        q = (request.query.get("q") or [""])[0].casefold()
        mentions = (request.query.get("mentions") or [""])[0].casefold()
        limit = int((request.query.get("limit") or ["25"])[0])
        offset = int((request.query.get("cursor") or ["0"])[0])
        if not q:
            return Reply(status=400, body={"error": "InvalidRequest", "message": "Params must have the property q"})
        matching = [
            view
            for view in sorted(self.bluesky, key=lambda v: v["indexedAt"], reverse=True)
            if (
                f"@{mentions}" in view["record"]["text"].casefold()
                if mentions
                else q in view["record"]["text"].casefold()
            )
        ]
        page = matching[offset : offset + limit]
        body = {"posts": page}
        if offset + limit < len(matching):
            body["cursor"] = str(offset + limit)
        return Reply(body=body)

    def _tag_timeline(self, instance: str):
        def answer(request: SeenRequest) -> Reply:
            if instance in self.failures:
                return self.failures[instance]
            tag = request.path.rsplit("/", 1)[-1].casefold()
            limit = min(int((request.query.get("limit") or ["20"])[0]), 40)
            max_id = (request.query.get("max_id") or [""])[0]
            statuses = sorted(self.mastodon[instance], key=lambda s: int(s["id"]), reverse=True)
            statuses = [s for s in statuses if any(t["name"] == tag for t in s["tags"])]
            if max_id:
                statuses = [s for s in statuses if int(s["id"]) < int(max_id)]
            return Reply(body=statuses[:limit])

        return answer
