"""Posting as an employee through their connected account: one publisher per network.

A publisher takes the account and a ``Draft`` (the exact text the network will publish, the
tracked link's card, the image the network wants with its alt text) and returns where the
post now lives, or raises ``PublishFailed`` with the network's reason. Publishers know the
networks' APIs and nothing of shares or schedules: the publishing app (above sharing and
metrics) builds the draft, calls ``publisher_for(network)`` and records the outcome.

Each network's publisher is a ``publish(account, draft) -> Published`` function in its own
module here, named in ``PUBLISHERS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import import_string

from advocacy.networks import Network


@dataclass(frozen=True)
class DraftImage:
    content: bytes = field(repr=False)
    mime_type: str  # image/jpeg, image/png
    alt_text: str
    width: int
    height: int
    # The image's absolute public address (the rendition under SITE_URL): Threads fetches the
    # image from a URL instead of taking an upload. Empty when there is none.
    public_url: str = ""


@dataclass(frozen=True)
class LinkCard:
    """The tracked link and what a preview of it shows (Bluesky's external embed, LinkedIn's article)."""

    url: str
    title: str
    description: str
    thumbnail: DraftImage | None = None


@dataclass(frozen=True)
class Draft:
    # Exactly what is published, the tracked link included where the network takes it in the text
    # (advocacy.networks.text_sent, the text the caption check measured).
    text: str
    link: LinkCard
    image: DraftImage | None = None
    # Sent as the network's idempotency key where it has one (Mastodon's Idempotency-Key), so a
    # retried publish after a lost answer does not post twice.
    idempotency_key: str = ""
    # The text's language (BCP 47, such as "en" or "pt-BR") when known: Bluesky's ``langs``.
    lang: str = ""


@dataclass(frozen=True)
class Published:
    post_id: str
    # The post's public address, which sharing.published_posts.published_post_parse accepts for the network.
    url: str


class PublishFailed(Exception):
    """The network did not publish. ``reason`` is shown to the employee as it is: say what happened, in words."""

    def __init__(
        self, reason: str, *, retryable: bool = False, reconnect: bool = False, retry_after: int | None = None
    ):
        super().__init__(reason)
        self.reason = reason
        # 429, 5xx, no answer: trying again later may work.
        self.retryable = retryable
        # 401 (or the network's "token revoked"): the account must be connected again.
        self.reconnect = reconnect
        # Seconds the network asked us to wait (Retry-After, x-ratelimit-reset), when it said.
        self.retry_after = retry_after


def refresh_refusal(exc, *, reconnect_reason: str = "") -> PublishFailed:
    """What a publisher raises when the token could not be refreshed before posting (the one mapping):
    a passing problem is retried later; a refusal asks the employee to reconnect."""
    if exc.retryable:
        return PublishFailed(exc.reason, retryable=True)
    return PublishFailed(reconnect_reason or exc.reason, reconnect=True)


Publisher = Callable[..., Published]

PUBLISHERS: dict[str, str] = {
    Network.MASTODON: "connections.publishers.mastodon.publish",
    Network.BLUESKY: "connections.publishers.bluesky.publish",
    Network.LINKEDIN: "connections.publishers.linkedin.publish",
    Network.X: "connections.publishers.x.publish",
    Network.THREADS: "connections.publishers.threads.publish",
}


def publisher_for(network: str) -> Publisher:
    """The network's ``publish(account, draft)``; LookupError for a network we cannot post to."""
    path = PUBLISHERS.get(network)
    if path is None:
        raise LookupError(f"{Network(network).label} has no posting API we use; share it with the intent link.")
    return import_string(path)
