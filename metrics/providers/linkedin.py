"""LinkedIn: each member's own post analytics where the app may read them, else Social Metadata.

With ``LINKEDIN_MEMBER_ANALYTICS`` on (the organisation's app has LinkedIn's Community
Management API with ``r_member_postAnalytics``), a post whose owner connected an account that
granted that scope is read with the owner's token from the Member Post Statistics API:
``GET /rest/memberCreatorPostAnalytics?q=entity&entity=(share:urn%3Ali%3Ashare%3A…)``
(``(ugc:…)`` for a ``urn:li:ugcPost``) ``&queryType=IMPRESSION&aggregation=TOTAL``, one call
per figure (IMPRESSION, REACTION, COMMENT, RESHARE), each answering
``{"elements": [{"count": 1234, "metricType": "IMPRESSION", "targetEntity": {"share": urn}}]}``.
Reactions count as likes, comments as replies, reshares as reposts. MEMBERS_REACHED (unique
viewers) has no figure of ours to go in and is not asked. Activity urns (pasted feed links)
are not accepted by that finder, and a 403 (the member's grant lacks the scope after all, or
the post is not theirs) falls back to Social Metadata below; a 401 is the member's token and
flags their account.

Everything else uses the app's token (``METRICS_LINKEDIN_TOKEN``):

``GET /rest/socialMetadata?ids=List(urn%3Ali%3Ashare%3A…,…)`` (a Rest.li 2.0 batch
get, so ``X-Restli-Protocol-Version: 2.0.0`` and ``LinkedIn-Version: YYYYMM``)
answers ``results`` keyed by post URN, each with ``reactionSummaries`` (counts per
reaction type, which LinkedIn shows as likes) and ``commentSummary.count``, plus
``errors``/``statuses`` for URNs it cannot return. It replaced the older
socialActions likes/comments summary.

Impressions come only from member analytics: LinkedIn gives them to tokens with the
organisation share-statistics or member post-analytics permissions, which ordinary apps do
not have, so without them they stay None (unknown). Reposts likewise; quotes never.

Quotas are daily and reset at midnight UTC; a 429 usually carries no
``Retry-After``, so without one we wait until the next reset.
"""

from __future__ import annotations

import re
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
ANALYTICS_SCOPE = "r_member_postAnalytics"
# queryType -> our figure.
MEMBER_FIGURES = {"IMPRESSION": "impressions", "REACTION": "likes", "COMMENT": "replies", "RESHARE": "reposts"}
# The entity finder's union member for each kind of post urn it takes.
_ENTITY_KINDS = {"share": "share", "ugcPost": "ugc"}
_POST_URN = re.compile(r"urn:li:(?P<kind>share|ugcPost):[0-9]{1,25}")


class LinkedInProvider(Provider):
    network = Network.LINKEDIN
    label = "LinkedIn"
    needs_token = True
    # Posts whose owner granted r_member_postAnalytics are read with the owner's token.
    uses_account_tokens = True
    reports = REPORTED_METRICS[Network.LINKEDIN]
    notes = (
        "REST Social Metadata API with an OAuth token (METRICS_LINKEDIN_TOKEN): reactions as likes and comments. "
        "With LINKEDIN_MEMBER_ANALYTICS, posts of members who connected LinkedIn are read with their own token "
        "(impressions, reactions, comments, reshares)."
    )

    @classmethod
    def from_settings(cls, **kwargs) -> LinkedInProvider:
        config = ProviderConfig(
            base_url=settings.METRICS_LINKEDIN_API_URL,
            token=settings.METRICS_LINKEDIN_TOKEN,
            timeout=settings.METRICS_HTTP_TIMEOUT,
            extra={
                "version": settings.METRICS_LINKEDIN_VERSION,
                "member_analytics": settings.LINKEDIN_MEMBER_ANALYTICS,
            },
        )
        return cls(config, **kwargs)

    def is_configured(self) -> bool:
        return bool(self.config.base_url) and (bool(self.config.token) or self._member_analytics)

    @property
    def _member_analytics(self) -> bool:
        return bool(self.config.extra.get("member_analytics"))

    def reads_with_account(self, ref: PostRef, access) -> bool:
        return self._member_analytics and ANALYTICS_SCOPE in access.scopes and bool(_POST_URN.fullmatch(ref.post_id))

    def _headers(self, token: str | None = None) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token or self.config.token}",
            "LinkedIn-Version": self.config.extra.get("version", ""),
            "X-Restli-Protocol-Version": "2.0.0",
        }

    def _retry_delay(self, response) -> float:
        return retry_delay(response.headers, attempt=self.attempt, rng=self.rng, daily_reset=True)

    def _fetch(self, refs: list[PostRef]) -> dict[PostRef, MetricResult]:
        results: dict[PostRef, MetricResult] = {}
        fallback: list[PostRef] = []
        halted: MetricResult | None = None
        for ref in refs:
            access = self.accounts.get(ref)
            if access is None or not self.reads_with_account(ref, access):
                fallback.append(ref)
                continue
            if halted is not None:
                results[ref] = replace(halted, ref=ref, detail=f"Not asked: {halted.detail}")
                continue
            result = self._member_fetch(ref, access)
            if result.outcome is Outcome.UNAUTHORISED and result.http_status == 403:
                # The member's grant does not cover this post's analytics: the app's view still counts it.
                fallback.append(ref)
                continue
            results[ref] = result
            if result.outcome is Outcome.RATE_LIMITED:
                halted = result
        if fallback:
            if self.config.token:
                results.update(self._social_metadata(fallback))
            else:
                template = MetricResult(
                    PostRef("", ""), Outcome.NOT_CONFIGURED, detail="LinkedIn's app token is not configured"
                )
                results.update(for_refs(template, fallback))
        return results

    # --- member post analytics, with the owner's token ----------------------------------------------

    def _member_fetch(self, ref: PostRef, access) -> MetricResult:
        kind = _ENTITY_KINDS[_POST_URN.fullmatch(ref.post_id)["kind"]]
        base = self.config.base_url.rstrip("/")
        entity = f"({kind}:{quote(ref.post_id, safe='')})"
        figures: dict[str, int | None] = {}
        for query_type, figure in MEMBER_FIGURES.items():
            url = (
                f"{base}/rest/memberCreatorPostAnalytics?q=entity&entity={entity}"
                f"&queryType={query_type}&aggregation=TOTAL"
            )
            answer = self._get(url, headers=self._headers(access.token))
            if isinstance(answer, MetricResult):
                if answer.outcome is Outcome.UNAUTHORISED and answer.http_status == 401:
                    answer = replace(answer, detail="LinkedIn refused the connected account's token")
                return replace(answer, ref=ref)
            payload = self._json(answer)
            if isinstance(payload, MetricResult):
                return replace(payload, ref=ref)
            try:
                figures[figure] = _member_count(payload, query_type=query_type, urn=ref.post_id)
            except MalformedAnswer as exc:
                return MetricResult(ref, Outcome.TRANSIENT, detail=f"Unexpected analytics answer from LinkedIn: {exc}")
        return MetricResult(ref, Outcome.OK, metrics=Metrics(**figures), http_status=200)

    # --- social metadata, with the app's token ---------------------------------------------------------

    def _social_metadata(self, refs: list[PostRef]) -> dict[PostRef, MetricResult]:
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


def _member_count(payload: dict, *, query_type: str, urn: str) -> int | None:
    """The TOTAL count of one queryType; None when LinkedIn has no data point for it yet."""
    elements = payload.get("elements")
    if not isinstance(elements, list):
        raise MalformedAnswer("no elements list")
    if not elements:
        return None
    if len(elements) != 1 or not isinstance(elements[0], dict):
        raise MalformedAnswer(f"{len(elements)} data points for a TOTAL aggregation")
    point = elements[0]
    metric_type = point.get("metricType")
    if isinstance(metric_type, dict):
        # A Rest.li union: {"com.linkedin…CreatorPostAnalyticsMetricTypeV1": "IMPRESSION"}.
        metric_type = next(iter(metric_type.values()), None)
    if metric_type is not None and metric_type != query_type:
        raise MalformedAnswer(f"asked for {query_type}, answered {metric_type}")
    target = point.get("targetEntity")
    if isinstance(target, dict) and target and urn not in target.values():
        raise MalformedAnswer("the answer is about another post")
    return count(point.get("count"))
