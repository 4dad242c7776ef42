"""One provider per network behind the interface in ``base``; this module picks the right one."""

from __future__ import annotations

from urllib.parse import urlsplit

from advocacy.networks import Network

from .base import InvalidPostUrl, MetricResult, Metrics, Outcome, PostFacts, PostRef, Provider
from .bluesky import BlueskyProvider
from .linkedin import LinkedInProvider
from .mastodon import MastodonProvider
from .threads import ThreadsProvider
from .x import XProvider

PROVIDER_CLASSES: dict[str, type[Provider]] = {
    Network.MASTODON: MastodonProvider,
    Network.BLUESKY: BlueskyProvider,
    Network.X: XProvider,
    Network.LINKEDIN: LinkedInProvider,
    Network.THREADS: ThreadsProvider,
}

__all__ = [
    "PROVIDER_CLASSES",
    "InvalidPostUrl",
    "MetricResult",
    "Metrics",
    "Outcome",
    "PostFacts",
    "PostRef",
    "Provider",
    "parse_post_url",
    "provider_for",
]


def provider_for(network: str, **kwargs) -> Provider:
    """A provider built from settings; raises LookupError for networks we cannot pull metrics from."""
    try:
        cls = PROVIDER_CLASSES[network]
    except KeyError:
        raise LookupError(f"No metrics provider for {network!r}") from None
    return cls.from_settings(**kwargs)


def network_for_url(url: str) -> str:
    host = (urlsplit((url or "").strip()).hostname or "").lower()
    if host in ("bsky.app", "www.bsky.app"):
        return Network.BLUESKY
    if host.removeprefix("www.").removeprefix("mobile.") in ("x.com", "twitter.com"):
        return Network.X
    if host.removeprefix("www.") in ("threads.com", "threads.net"):
        return Network.THREADS
    if host == "lnkd.in" or host == "linkedin.com" or host.endswith(".linkedin.com"):
        return Network.LINKEDIN
    return Network.MASTODON


def parse_post_url(url: str, *, network: str | None = None) -> PostRef:
    """Parse a pasted post URL for ``network`` (guessed from the host when not given)."""
    network = network or network_for_url(url)
    cls = PROVIDER_CLASSES.get(network)
    if cls is None:
        raise InvalidPostUrl(f"We cannot read metrics from {Network(network).label} posts.")
    return cls.from_settings().parse_url(url)
