"""LinkedIn: the versioned REST Social Metadata API with an OAuth token.

``GET /rest/socialMetadata?ids=List(urn%3Ali%3Ashare%3A…,…)`` (a Rest.li 2.0 batch
get, so ``X-Restli-Protocol-Version: 2.0.0`` and ``LinkedIn-Version: YYYYMM``)
answers ``results`` keyed by post URN, each with ``reactionSummaries`` (counts per
reaction type, which LinkedIn shows as likes) and ``commentSummary.count``, plus
``errors``/``statuses`` for URNs it cannot return. It replaced the older
socialActions likes/comments summary.

Impressions are not fetched: LinkedIn only gives them to tokens with the
organisation share-statistics or member post-analytics permissions, which
ordinary apps do not have, so they stay None (unknown). Reposts and quotes are
not published by this API either.

Quotas are daily and reset at midnight UTC; a 429 usually carries no
``Retry-After``, so without one we wait until the next reset.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote

from django.conf import settings

from advocacy.networks import REPORTED_METRICS, Network

from .base import (
    MalformedAnswer,
    MetricResult,
    Metrics,
    Outcome,
    PostRef,
    Provider,
    ProviderConfig,
    count,
    for_refs,
    outcome_for_status,
)
from .ratelimit import retry_delay

# Rest.li batch ids travel in the query string; keep URLs well under common limits.
BATCH_SIZE = 20
_HALTING = (Outcome.RATE_LIMITED, Outcome.UNAUTHORISED, Outcome.TRANSIENT)


class LinkedInProvider(Provider):
    network = Network.LINKEDIN
    label = "LinkedIn"
    needs_token = True
    reports = REPORTED_METRICS[Network.LINKEDIN]
    notes = (
        "REST Social Metadata API with an OAuth token (METRICS_LINKEDIN_TOKEN): reactions as likes and comments. "
        "Impressions need LinkedIn's analytics permissions and are not fetched."
    )

    @classmethod
    def from_settings(cls, **kwargs) -> LinkedInProvider:
        config = ProviderConfig(
            base_url=settings.METRICS_LINKEDIN_API_URL,
            token=settings.METRICS_LINKEDIN_TOKEN,
            timeout=settings.METRICS_HTTP_TIMEOUT,
            extra={"version": settings.METRICS_LINKEDIN_VERSION},
        )
        return cls(config, **kwargs)

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.config.token}",
            "LinkedIn-Version": self.config.extra.get("version", ""),
            "X-Restli-Protocol-Version": "2.0.0",
        }

    def _retry_delay(self, response) -> float:
        return retry_delay(response.headers, attempt=self.attempt, rng=self.rng, daily_reset=True)

    def _fetch(self, refs: list[PostRef]) -> dict[PostRef, MetricResult]:
        base = self.config.base_url.rstrip("/")
        results: dict[PostRef, MetricResult] = {}
        for start in range(0, len(refs), BATCH_SIZE):
            batch = refs[start : start + BATCH_SIZE]
            ids = ",".join(quote(ref.post_id, safe="") for ref in batch)
            answer = self._get(f"{base}/rest/socialMetadata?ids=List({ids})", headers=self._headers())
            if isinstance(answer, MetricResult):
                if answer.outcome is Outcome.DELETED:
                    answer = replace(answer, outcome=Outcome.TRANSIENT, detail=f"{answer.detail} for socialMetadata")
                results.update(for_refs(answer, batch))
                if answer.outcome in _HALTING:
                    rest = refs[start + BATCH_SIZE :]
                    results.update(for_refs(replace(answer, detail=f"Not asked: {answer.detail}"), rest))
                    break
                continue
            results.update(self._results(batch, answer))
        return results

    def _results(self, batch: list[PostRef], answer) -> dict[PostRef, MetricResult]:
        payload = self._json(answer)
        if isinstance(payload, MetricResult):
            return for_refs(payload, batch)
        found, errors = payload.get("results", {}), payload.get("errors", {})
        if not isinstance(found, dict) or not isinstance(errors, dict):
            template = MetricResult(PostRef("", ""), Outcome.TRANSIENT, detail="Unexpected JSON shape from LinkedIn")
            return for_refs(template, batch)
        results = {}
        for ref in batch:
            entity = found.get(ref.post_id)
            if isinstance(entity, dict):
                results[ref] = self._metrics(ref, entity, answer.status)
                continue
            error = errors.get(ref.post_id)
            if isinstance(error, dict) and isinstance(error.get("status"), int):
                status = error["status"]
                message = str(error.get("message", ""))
                results[ref] = MetricResult(ref, outcome_for_status(status), detail=message, http_status=status)
            else:
                results[ref] = MetricResult(ref, Outcome.TRANSIENT, detail="LinkedIn left this post out of its answer")
        return results

    @staticmethod
    def _metrics(ref: PostRef, entity: dict, status: int) -> MetricResult:
        try:
            reactions = entity.get("reactionSummaries")
            comments = entity.get("commentSummary")
            if not isinstance(reactions, dict) or not isinstance(comments, dict):
                raise MalformedAnswer("reactionSummaries or commentSummary missing")
            likes = 0
            for summary in reactions.values():
                if not isinstance(summary, dict):
                    raise MalformedAnswer("a reaction summary is not an object")
                likes += count(summary.get("count")) or 0
            metrics = Metrics(likes=likes, replies=count(comments.get("count")))
        except MalformedAnswer as exc:
            return MetricResult(ref, Outcome.TRANSIENT, detail=f"Unexpected answer from LinkedIn: {exc}")
        return MetricResult(ref, Outcome.OK, metrics=metrics, http_status=status)
