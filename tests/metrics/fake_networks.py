"""Fake Mastodon, Bluesky, X and LinkedIn APIs on one loopback server, in the documented answer formats.

A test "publishes" posts (who wrote them, what they link to, their numbers) and
points the metrics settings at the server; the providers then ask it exactly as
they would ask the networks. The formats follow the recorded answers in
``fixtures/`` (Mastodon Status entity, Bluesky postView and resolveHandle, X v2
tweets lookup with ``expansions=author_id`` and users/by/username, LinkedIn
socialMetadata).
"""

from __future__ import annotations

import base64
import copy
import hashlib
from dataclasses import dataclass, field

from tests.metrics.conftest import FakeApi, Reply, SeenRequest, fixture

MASTODON_INSTANCE = "mastodon.example"


@dataclass
class FakePost:
    network: str
    post_id: str
    author: str  # Mastodon acct (local name), Bluesky handle, X username
    text: str
    link: str = ""
    likes: int = 0
    reposts: int = 0
    replies: int = 0


@dataclass
class FakeNetworks:
    api: FakeApi
    posts: dict[tuple[str, str], FakePost] = field(default_factory=dict)
    # Bluesky handle -> DID, X username -> user id: who exists on each network.
    dids: dict[str, str] = field(default_factory=dict)
    x_ids: dict[str, str] = field(default_factory=dict)

    def configure(self, settings) -> None:
        settings.METRICS_MASTODON_INSTANCE_URLS = {MASTODON_INSTANCE: self.api.url}
        settings.METRICS_BLUESKY_APPVIEW_URL = self.api.url
        settings.METRICS_X_API_URL = self.api.url
        settings.METRICS_X_BEARER_TOKEN = "fake-bearer"
        settings.METRICS_LINKEDIN_API_URL = self.api.url
        settings.METRICS_LINKEDIN_TOKEN = "fake-token"
        self.api.route("/api/v1/statuses/", self._mastodon_status, prefix=True)
        self.api.route("/xrpc/com.atproto.identity.resolveHandle", self._resolve_handle)
        self.api.route("/xrpc/app.bsky.feed.getPosts", self._get_posts)
        self.api.route("/2/tweets", self._tweets)
        self.api.route("/2/users/by/username/", self._x_user, prefix=True)
        self.api.route("/rest/socialMetadata", self._linkedin)

    # --- publishing ------------------------------------------------------------------------------
    def account(self, *, network: str, name: str) -> None:
        """Make an account exist (Bluesky handle with a DID, X username with an id)."""
        if network == "bluesky":
            digest = base64.b32encode(hashlib.sha256(name.encode()).digest()).decode().lower()
            self.dids.setdefault(name, "did:plc:" + digest[:24])
        if network == "x":
            self.x_ids.setdefault(name.lower(), str(1_500_000_000_000_000_000 + len(self.x_ids) + 1))

    def publish(self, post: FakePost) -> str:
        """Put a post on the fake network; returns its public URL as the employee would copy it."""
        self.account(network=post.network, name=post.author)
        if post.network == "bluesky":
            post.post_id = f"at://{self.dids[post.author]}/app.bsky.feed.post/{post.post_id}"
        self.posts[(post.network, post.post_id)] = post
        if post.network == "mastodon":
            return f"https://{MASTODON_INSTANCE}/@{post.author}/{post.post_id}"
        if post.network == "bluesky":
            return f"https://bsky.app/profile/{post.author}/post/{post.post_id.rsplit('/', 1)[-1]}"
        if post.network == "x":
            return f"https://x.com/{post.author}/status/{post.post_id}"
        return f"https://www.linkedin.com/feed/update/{post.post_id}/"

    # --- answers -------------------------------------------------------------------------------------
    def _mastodon_status(self, request: SeenRequest) -> Reply:
        status_id = request.path.rsplit("/", 1)[-1]
        post = self.posts.get(("mastodon", status_id))
        if post is None:
            return Reply(status=404, body=fixture("mastodon_not_found.json"))
        body = copy.deepcopy(fixture("mastodon_status.json"))
        link = f'<a href="{post.link}" rel="nofollow noopener" target="_blank">{post.link}</a>' if post.link else ""
        body.update(
            id=status_id,
            url=f"https://{MASTODON_INSTANCE}/@{post.author}/{status_id}",
            uri=f"https://{MASTODON_INSTANCE}/users/{post.author}/statuses/{status_id}",
            content=f"<p>{post.text} {link}</p>",
            favourites_count=post.likes,
            reblogs_count=post.reposts,
            replies_count=post.replies,
        )
        body["account"].update(
            username=post.author,
            acct=post.author,
            url=f"https://{MASTODON_INSTANCE}/@{post.author}",
            uri=f"https://{MASTODON_INSTANCE}/users/{post.author}",
        )
        return Reply(body=body)

    def _resolve_handle(self, request: SeenRequest) -> Reply:
        handle = (request.query.get("handle") or [""])[0]
        if handle not in self.dids:
            return Reply(status=400, body=fixture("bluesky_resolve_handle_unknown.json"))
        return Reply(body={"did": self.dids[handle]})

    def _get_posts(self, request: SeenRequest) -> Reply:
        views = []
        template = fixture("bluesky_get_posts.json")["posts"][0]
        for uri in request.query.get("uris", []):
            post = self.posts.get(("bluesky", uri))
            if post is None:
                continue  # getPosts leaves out what does not exist
            view = copy.deepcopy(template)
            did = uri.split("/")[2]
            text = f"{post.text} {post.link.split('://', 1)[-1][:24]}…" if post.link else post.text
            record = {"$type": "app.bsky.feed.post", "createdAt": view["record"]["createdAt"], "text": text}
            if post.link:
                start = len(post.text.encode()) + 1
                record["facets"] = [
                    {
                        "index": {"byteStart": start, "byteEnd": len(text.encode())},
                        "features": [{"$type": "app.bsky.richtext.facet#link", "uri": post.link}],
                    }
                ]
            view.update(uri=uri, record=record, likeCount=post.likes, repostCount=post.reposts, replyCount=post.replies)
            view["author"].update(did=did, handle=post.author)
            views.append(view)
        return Reply(body={"posts": views})

    def _tweets(self, request: SeenRequest) -> Reply:
        ids = (request.query.get("ids") or [""])[0].split(",")
        data, users, errors = [], {}, []
        not_found = fixture("x_tweets.json")["errors"][0]
        for tweet_id in ids:
            post = self.posts.get(("x", tweet_id))
            if post is None:
                errors.append({**not_found, "value": tweet_id, "resource_id": tweet_id})
                continue
            author_id = self.x_ids[post.author.lower()]
            users[author_id] = {"id": author_id, "name": post.author, "username": post.author}
            tweet = {
                "id": tweet_id,
                "edit_history_tweet_ids": [tweet_id],
                "author_id": author_id,
                "text": f"{post.text} https://t.co/fake{tweet_id[-6:]}" if post.link else post.text,
                "public_metrics": {
                    "retweet_count": post.reposts,
                    "reply_count": post.replies,
                    "like_count": post.likes,
                    "quote_count": 0,
                    "bookmark_count": 0,
                    "impression_count": post.likes * 40,
                },
            }
            if post.link:
                tweet["entities"] = {
                    "urls": [
                        {
                            "url": f"https://t.co/fake{tweet_id[-6:]}",
                            "expanded_url": post.link,
                            "display_url": post.link.split("://", 1)[-1],
                        }
                    ]
                }
            data.append(tweet)
        body: dict = {"data": data, "includes": {"users": list(users.values())}}
        if errors:
            body["errors"] = errors
        return Reply(body=body)

    def _x_user(self, request: SeenRequest) -> Reply:
        username = request.path.rsplit("/", 1)[-1].lower()
        if username not in self.x_ids:
            return Reply(
                body={
                    "errors": [
                        {
                            "value": username,
                            "detail": f"Could not find user with username: [{username}].",
                            "title": "Not Found Error",
                            "resource_type": "user",
                            "parameter": "username",
                            "resource_id": username,
                            "type": "https://api.twitter.com/2/problems/resource-not-found",
                        }
                    ]
                }
            )
        return Reply(body={"data": {"id": self.x_ids[username], "name": username, "username": username}})

    def _linkedin(self, request: SeenRequest) -> Reply:
        from urllib.parse import unquote

        raw = request.raw_query
        urns = [unquote(part) for part in raw[len("ids=List(") : -1].split(",")] if raw.startswith("ids=") else []
        results = {}
        for urn in urns:
            post = self.posts.get(("linkedin", urn))
            if post is not None:
                results[urn] = {
                    "reactionSummaries": {"LIKE": {"reactionType": "LIKE", "count": post.likes}},
                    "commentSummary": {"count": post.replies, "topLevelCount": post.replies},
                    "entity": urn,
                }
        return Reply(body={"results": results, "statuses": {}, "errors": {}})
