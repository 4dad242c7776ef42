"""Mastodon: the public status API on the employee's own instance.

``GET https://{instance}/api/v1/statuses/{id}`` answers a Status entity with
``replies_count``, ``reblogs_count``, ``favourites_count`` (and ``quotes_count``
on servers that support quote posts). Public statuses need no token. Status ids
are local to an instance, so refs are batched per instance; a rate limit, an
instance demanding authentication or an instance that is down stops that
instance's batch only. Rate-limit headers: ``X-RateLimit-Remaining`` and an ISO
8601 ``X-RateLimit-Reset``. The Status also names its ``account`` (``acct`` is
``user`` for a local account, ``user@host`` for a remote one, and ``url``), which
verification compares with the employee's handle, and its ``content`` and ``card``.
"""

from __future__ import annotations

import socket
from dataclasses import replace
from urllib.parse import quote

from django.conf import settings

from advocacy.http import HttpClient, address_allowed, is_public_address
from advocacy.networks import REPORTED_METRICS, Network

from .base import (
    MalformedAnswer,
    MetricResult,
    Metrics,
    Outcome,
    PostFacts,
    PostRef,
    Provider,
    ProviderConfig,
    _failure,
    count,
    follower_count,
    for_refs,
)
from .ratelimit import retry_delay, window_exhausted

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

    def profile_identity(self, handle: str) -> frozenset[str] | None:
        """``@user@instance`` → the ``user@instance`` and profile URL its statuses carry; no network call."""
        user, _, instance = handle.strip().lstrip("@").lower().partition("@")
        if not user or not instance:
            return None
        return frozenset({f"{user}@{instance}", f"https://{instance}/@{user}"})

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
                return for_refs(refusal, batch)
            client = self._public_http()
        base = self.instance_url(instance).rstrip("/")
        for position, ref in enumerate(batch):
            answer = self._get(f"{base}/api/v1/statuses/{quote(ref.post_id, safe='')}", client=client)
            if isinstance(answer, MetricResult):
                results.update(for_refs(answer, [ref]))
                if answer.outcome in _HALTING:
                    rest = batch[position + 1 :]
                    results.update(for_refs(replace(answer, detail=f"Not asked: {answer.detail}"), rest))
                    break
                continue
            results[ref] = self._result(ref, answer)
            remaining = batch[position + 1 :]
            if remaining and window_exhausted(answer.headers):
                delay = retry_delay(answer.headers, attempt=self.attempt, rng=self.rng)
                limited = _failure(Outcome.RATE_LIMITED, retry_after=delay, detail=f"{instance}: no requests left")
                results.update(for_refs(limited, remaining))
                break
        return results

    def _public_http(self) -> HttpClient:
        if self._public_client is None:
            self._public_client = HttpClient(timeout=self.config.timeout, allow_address=is_public_address)
        return self._public_client

    def _result(self, ref: PostRef, answer) -> MetricResult:
        payload = self._json(answer)
        if isinstance(payload, MetricResult):
            return for_refs(payload, [ref])[ref]
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
        account = payload.get("account") if isinstance(payload.get("account"), dict) else {}
        return MetricResult(
            ref,
            Outcome.OK,
            metrics=metrics,
            http_status=answer.status,
            facts=_facts(payload, ref.instance),
            author_followers=follower_count(account.get("followers_count")),
        )


def _account_ids(account, instance: str) -> frozenset[str]:
    if not isinstance(account, dict):
        return frozenset()
    ids = set()
    acct = str(account.get("acct") or "").lower()
    if acct:
        ids.add(acct if "@" in acct else f"{acct}@{instance}")
    if url := str(account.get("url") or ""):
        ids.add(url.lower().rstrip("/"))
    return frozenset(ids)


def _facts(payload: dict, instance: str) -> PostFacts:
    """The status's author and every place its links show: the HTML content (hrefs in full) and the card."""
    reblog = payload.get("reblog")
    card = payload.get("card") if isinstance(payload.get("card"), dict) else {}
    texts = (str(payload.get("content") or ""), str(payload.get("spoiler_text") or ""), str(card.get("url") or ""))
    reshare_of = ""
    if isinstance(reblog, dict) and isinstance(reblog.get("account"), dict):
        reshare_of = str(reblog["account"].get("acct") or "")
    return PostFacts(author=_account_ids(payload.get("account"), instance), texts=texts, reshare_of=reshare_of)


def _required(payload: dict, key: str) -> int:
    value = count(payload.get(key))
    if value is None:
        raise MalformedAnswer(f"{key} missing")
    return value


def _refuse_private_host(instance: str) -> MetricResult | None:
    """Employees type these hosts; never let a worker call into our own network on their behalf."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(instance, 443, proto=socket.IPPROTO_TCP)}
    except (OSError, UnicodeError) as exc:
        return _failure(Outcome.TRANSIENT, detail=f"Cannot resolve {instance}: {exc}")
    if not all(address_allowed(address) for address in addresses):
        return _failure(Outcome.UNAVAILABLE, detail=f"{instance} resolves to a private address; not asked")
    return None
