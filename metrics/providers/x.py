"""X: API v2 tweet lookup with the app's bearer token.

``GET /2/tweets?ids=…&tweet.fields=public_metrics,author_id,entities&expansions=author_id``
takes up to 100 ids and
answers ``data`` (tweets with ``public_metrics``: like, retweet, reply, quote and
impression counts) plus an ``errors`` array for ids it cannot return: a
``resource-not-found`` problem for deleted tweets, ``not-authorized-for-resource``
for protected or suspended accounts. Rate-limit headers: ``x-rate-limit-remaining``
and ``x-rate-limit-reset`` (epoch seconds) per 15-minute window. ``author_id`` and
``entities.urls`` (the t.co links expanded) are what verification compares; the
employee's X handle is turned into a user id with ``GET /2/users/by/username/:username``.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote, urlencode

from django.conf import settings

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
    for_refs,
)
from .ratelimit import retry_delay, window_exhausted

BATCH_SIZE = 100
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

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.config.token}"}

    def profile_identity(self, handle: str) -> frozenset[str] | MetricResult | None:
        """The user id the profile's X handle belongs to (``GET /2/users/by/username/:username``)."""
        username = handle.strip().lstrip("@")
        if not username:
            return None
        if not self.is_configured():
            return _failure(Outcome.NOT_CONFIGURED, detail="X is not configured")
        base = self.config.base_url.rstrip("/")
        answer = self._get(f"{base}/2/users/by/username/{quote(username, safe='')}", headers=self._headers())
        if isinstance(answer, MetricResult):
            return answer
        payload = self._json(answer)
        if isinstance(payload, MetricResult):
            return payload
        data = payload.get("data")
        if isinstance(data, dict) and str(data.get("id") or "").isdigit():
            return frozenset({str(data["id"])})
        if payload.get("errors"):
            # The handle on the profile names no account (renamed or suspended): nothing can match it.
            return frozenset()
        return _failure(Outcome.TRANSIENT, detail="X answered users/by/username without a user id")

    def _fetch(self, refs: list[PostRef]) -> dict[PostRef, MetricResult]:
        base = self.config.base_url.rstrip("/")
        headers = self._headers()
        results: dict[PostRef, MetricResult] = {}
        for start in range(0, len(refs), BATCH_SIZE):
            batch = refs[start : start + BATCH_SIZE]
            query = urlencode(
                {
                    "ids": ",".join(ref.post_id for ref in batch),
                    "tweet.fields": "public_metrics,author_id,entities",
                    "expansions": "author_id",
                }
            )
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
        return MetricResult(ref, Outcome.OK, metrics=metrics, http_status=status, facts=_facts(tweet))


def _facts(tweet: dict) -> PostFacts:
    """The author's user id, and the text with every URL expanded (X shows links as t.co)."""
    entities = tweet.get("entities") if isinstance(tweet.get("entities"), dict) else {}
    texts = [str(tweet.get("text") or "")]
    for link in entities.get("urls") or []:
        if isinstance(link, dict):
            texts += [str(link.get(key) or "") for key in ("expanded_url", "unwound_url")]
    author = str(tweet.get("author_id") or "")
    return PostFacts(author=frozenset({author}) if author else frozenset(), texts=tuple(texts))
