"""X: API v2 tweet lookup with the app's bearer token.

``GET /2/tweets?ids=…&tweet.fields=public_metrics`` takes up to 100 ids and
answers ``data`` (tweets with ``public_metrics``: like, retweet, reply, quote and
impression counts) plus an ``errors`` array for ids it cannot return: a
``resource-not-found`` problem for deleted tweets, ``not-authorized-for-resource``
for protected or suspended accounts. Rate-limit headers: ``x-rate-limit-remaining``
and ``x-rate-limit-reset`` (epoch seconds) per 15-minute window.
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import urlencode, urlsplit

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
    for_refs,
)
from .ratelimit import retry_delay, window_exhausted

BATCH_SIZE = 100
HOSTS = {"x.com", "www.x.com", "mobile.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com"}
_PATH = re.compile(r"^/(?:(?P<user>[A-Za-z0-9_]{1,15})|i(?:/web)?)/status(?:es)?/(?P<id>[0-9]{1,20})(?:/.*)?$")
_NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"
_HALTING = (Outcome.RATE_LIMITED, Outcome.UNAUTHORISED, Outcome.TRANSIENT)


class XProvider(Provider):
    network = Network.X
    label = "X"
    needs_token = True
    reports = REPORTED_METRICS[Network.X]
    notes = "API v2 tweet lookup with the app's bearer token (METRICS_X_BEARER_TOKEN)."

    @classmethod
    def from_settings(cls, **kwargs) -> XProvider:
        config = ProviderConfig(
            base_url=settings.METRICS_X_API_URL,
            token=settings.METRICS_X_BEARER_TOKEN,
            timeout=settings.METRICS_HTTP_TIMEOUT,
        )
        return cls(config, **kwargs)

    def parse_url(self, url: str) -> PostRef:
        parts = urlsplit((url or "").strip())
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("https", "http") or host not in HOSTS:
            raise InvalidPostUrl("An X post link looks like https://x.com/you/status/1234567890.")
        match = _PATH.match(parts.path)
        if not match:
            raise InvalidPostUrl("That is not a link to a single X post (…/status/<number>).")
        return PostRef(network=self.network, post_id=str(int(match["id"])))

    def _fetch(self, refs: list[PostRef]) -> dict[PostRef, MetricResult]:
        base = self.config.base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {self.config.token}"}
        results: dict[PostRef, MetricResult] = {}
        for start in range(0, len(refs), BATCH_SIZE):
            batch = refs[start : start + BATCH_SIZE]
            query = urlencode({"ids": ",".join(ref.post_id for ref in batch), "tweet.fields": "public_metrics"})
            answer = self._get(f"{base}/2/tweets?{query}", headers=headers)
            if isinstance(answer, MetricResult):
                if answer.outcome is Outcome.DELETED:
                    answer = replace(answer, outcome=Outcome.TRANSIENT, detail=f"{answer.detail} for /2/tweets")
                results.update(for_refs(answer, batch))
                if answer.outcome in _HALTING:
                    rest = refs[start + BATCH_SIZE :]
                    results.update(for_refs(replace(answer, detail=f"Not asked: {answer.detail}"), rest))
                    break
                continue
            results.update(self._results(batch, answer))
            rest = refs[start + BATCH_SIZE :]
            if rest and window_exhausted(answer.headers):
                delay = retry_delay(answer.headers, attempt=self.attempt, rng=self.rng)
                template = MetricResult(
                    PostRef("", ""), Outcome.RATE_LIMITED, retry_after=delay, detail="X: no requests left"
                )
                results.update(for_refs(template, rest))
                break
        return results

    def _results(self, batch: list[PostRef], answer) -> dict[PostRef, MetricResult]:
        payload = self._json(answer)
        if isinstance(payload, MetricResult):
            return for_refs(payload, batch)
        data, errors = payload.get("data", []), payload.get("errors", [])
        if not isinstance(data, list) or not isinstance(errors, list):
            template = MetricResult(PostRef("", ""), Outcome.TRANSIENT, detail="Unexpected JSON shape from X")
            return for_refs(template, batch)
        tweets = {str(tweet.get("id")): tweet for tweet in data if isinstance(tweet, dict)}
        problems = {
            str(error.get("resource_id") or error.get("value")): error for error in errors if isinstance(error, dict)
        }
        results = {}
        for ref in batch:
            tweet = tweets.get(ref.post_id)
            if tweet is not None:
                results[ref] = self._metrics(ref, tweet, answer.status)
                continue
            problem = problems.get(ref.post_id)
            if problem is None:
                results[ref] = MetricResult(ref, Outcome.TRANSIENT, detail="X left this post out of its answer")
            elif problem.get("type") == _NOT_FOUND:
                results[ref] = MetricResult(ref, Outcome.DELETED, detail=str(problem.get("detail", "")))
            else:
                # Protected or suspended accounts: the post exists but the app may not read it.
                results[ref] = MetricResult(ref, Outcome.UNAVAILABLE, detail=str(problem.get("detail", "")))
        return results

    @staticmethod
    def _metrics(ref: PostRef, tweet: dict, status: int) -> MetricResult:
        public = tweet.get("public_metrics")
        try:
            if not isinstance(public, dict):
                raise MalformedAnswer("public_metrics missing")
            metrics = Metrics(
                likes=count(public.get("like_count")),
                reposts=count(public.get("retweet_count")),
                replies=count(public.get("reply_count")),
                quotes=count(public.get("quote_count")),
                impressions=count(public.get("impression_count")),
            )
        except MalformedAnswer as exc:
            return MetricResult(ref, Outcome.TRANSIENT, detail=f"Unexpected tweet from X: {exc}")
        return MetricResult(ref, Outcome.OK, metrics=metrics, http_status=status)
