"""Mastodon: the public status API on the employee's own instance.

``GET https://{instance}/api/v1/statuses/{id}`` answers a Status entity with
``replies_count``, ``reblogs_count``, ``favourites_count`` (and ``quotes_count``
on servers that support quote posts). Public statuses need no token. Status ids
are local to an instance, so refs are batched per instance; a rate limit, an
instance demanding authentication or an instance that is down stops that
instance's batch only. Rate-limit headers: ``X-RateLimit-Remaining`` and an ISO
8601 ``X-RateLimit-Reset``.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import replace
from urllib.parse import quote, urlsplit

from django.conf import settings

from advocacy.networks import REPORTED_METRICS, Network

from .base import (
    InvalidPostUrl,
    MalformedAnswer,
    MetricResult,
    Metrics,
    Outcome,
    PostRef,
    Provider,
    ProviderConfig,
    count,
)
from .http import HttpClient, is_public_address
from .ratelimit import retry_delay, window_exhausted

# Hosts that are certainly not Mastodon, so the employee gets a useful message.
_OTHER_NETWORKS = {
    "x.com": "X",
    "twitter.com": "X",
    "bsky.app": "Bluesky",
    "linkedin.com": "LinkedIn",
    "facebook.com": "Facebook",
    "threads.net": "Threads",
}
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$")
_ID = r"(?P<id>[0-9]{1,32})"
_USER = r"(?P<user>[A-Za-z0-9_.-]+)(?:@(?P<remote>[^/@]+))?"
_PATHS = [
    re.compile(rf"^/(?:web/)?@{_USER}/{_ID}/?$"),
    re.compile(rf"^/users/(?P<user>[A-Za-z0-9_.-]+)/statuses/{_ID}/?$"),
    re.compile(rf"^/web/statuses/{_ID}/?$"),
]
_HALTING = (Outcome.UNAUTHORISED, Outcome.RATE_LIMITED, Outcome.TRANSIENT)


class MastodonProvider(Provider):
    network = Network.MASTODON
    label = "Mastodon"
    reports = REPORTED_METRICS[Network.MASTODON]
    notes = "Public statuses on each employee's instance; no token needed. Quotes only where the server supports them."
    _public_client: HttpClient | None = None

    @classmethod
    def from_settings(cls, **kwargs) -> MastodonProvider:
        config = ProviderConfig(
            base_url="https://{instance}",
            timeout=settings.METRICS_HTTP_TIMEOUT,
            extra={"instance_urls": dict(settings.METRICS_MASTODON_INSTANCE_URLS)},
        )
        return cls(config, **kwargs)

    def parse_url(self, url: str) -> PostRef:
        parts = urlsplit((url or "").strip())
        if parts.scheme != "https":
            raise InvalidPostUrl("A Mastodon post link starts with https://")
        host = (parts.hostname or "").lower().rstrip(".")
        if parts.username or parts.password or parts.port not in (None, 443):
            raise InvalidPostUrl("That link has an unusual address; copy it again from your Mastodon server.")
        for domain, name in _OTHER_NETWORKS.items():
            if host == domain or host.endswith("." + domain):
                raise InvalidPostUrl(f"That is a {name} link, not a Mastodon one.")
        if not _HOST.match(host) or _is_ip(host):
            raise InvalidPostUrl("A Mastodon post link names your server, such as https://mastodon.social/@you/1234.")
        for pattern in _PATHS:
            match = pattern.match(parts.path)
            if not match:
                continue
            remote = match.groupdict().get("remote")
            if remote and remote.lower() != host:
                raise InvalidPostUrl(
                    f"That is {host}'s copy of a post from {remote}. Open the post on {remote} "
                    "(your own server) and paste that link, so we count all its reactions."
                )
            return PostRef(network=self.network, post_id=match["id"], instance=host)
        raise InvalidPostUrl("That is not a link to a single Mastodon post, such as https://mastodon.social/@you/1234.")

    def instance_url(self, instance: str) -> str:
        return self.config.extra.get("instance_urls", {}).get(instance) or f"https://{instance}"

    def _fetch(self, refs: list[PostRef]) -> dict[PostRef, MetricResult]:
        by_instance: dict[str, list[PostRef]] = {}
        for ref in refs:
            by_instance.setdefault(ref.instance, []).append(ref)
        results: dict[PostRef, MetricResult] = {}
        for instance, batch in by_instance.items():
            results.update(self._fetch_instance(instance, batch))
        return results

    def _fetch_instance(self, instance: str, batch: list[PostRef]) -> dict[PostRef, MetricResult]:
        results: dict[PostRef, MetricResult] = {}
        client = None
        if instance not in self.config.extra.get("instance_urls", {}):
            # Employees type these hosts: refuse one that points into our own network up front
            # (a clear message), and again at every connection (a name may change its answer).
            refusal = _refuse_private_host(instance)
            if refusal is not None:
                return {ref: replace(refusal, ref=ref) for ref in batch}
            client = self._public_http()
        base = self.instance_url(instance).rstrip("/")
        for position, ref in enumerate(batch):
            answer = self._get(f"{base}/api/v1/statuses/{quote(ref.post_id, safe='')}", client=client)
            if isinstance(answer, MetricResult):
                results[ref] = replace(answer, ref=ref)
                if answer.outcome in _HALTING:
                    for rest in batch[position + 1 :]:
                        results[rest] = replace(answer, ref=rest, detail=f"Not asked: {answer.detail}")
                    break
                continue
            results[ref] = self._result(ref, answer)
            remaining = batch[position + 1 :]
            if remaining and window_exhausted(answer.headers):
                delay = retry_delay(answer.headers, attempt=self.attempt, rng=self.rng)
                for rest in remaining:
                    results[rest] = MetricResult(
                        rest, Outcome.RATE_LIMITED, retry_after=delay, detail=f"{instance}: no requests left"
                    )
                break
        return results

    def _public_http(self) -> HttpClient:
        if self._public_client is None:
            self._public_client = HttpClient(timeout=self.config.timeout, allow_address=is_public_address)
        return self._public_client

    def _result(self, ref: PostRef, answer) -> MetricResult:
        payload = self._json(answer)
        if isinstance(payload, MetricResult):
            return replace(payload, ref=ref)
        try:
            if str(payload.get("id")) != ref.post_id:
                raise MalformedAnswer("a different status came back")
            metrics = Metrics(
                likes=_required(payload, "favourites_count"),
                reposts=_required(payload, "reblogs_count"),
                replies=_required(payload, "replies_count"),
                quotes=count(payload.get("quotes_count")),
            )
        except MalformedAnswer as exc:
            return MetricResult(ref, Outcome.TRANSIENT, detail=f"Unexpected answer from {ref.instance}: {exc}")
        return MetricResult(ref, Outcome.OK, metrics=metrics, http_status=answer.status)


def _required(payload: dict, key: str) -> int:
    value = count(payload.get(key))
    if value is None:
        raise MalformedAnswer(f"{key} missing")
    return value


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _refuse_private_host(instance: str) -> MetricResult | None:
    """Employees type these hosts; never let a worker call into our own network on their behalf."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(instance, 443, proto=socket.IPPROTO_TCP)}
    except (OSError, UnicodeError) as exc:
        return MetricResult(PostRef("", ""), Outcome.TRANSIENT, detail=f"Cannot resolve {instance}: {exc}")
    for address in addresses:
        if not is_public_address(ipaddress.ip_address(address.split("%", 1)[0])):
            return MetricResult(
                PostRef("", ""), Outcome.UNAVAILABLE, detail=f"{instance} resolves to a private address; not asked"
            )
    return None
