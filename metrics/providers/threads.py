"""Threads: the Graph API's media insights, read with the employee's connected account token.

Threads shows a post's numbers only to its author's token, so a share is asked about only
when its owner has connected a Threads account (``connections``); the others are
unavailable, with a message that says so. A pasted permalink names the post by its
shortcode (``threads.com/@user/post/<shortcode>``), while the insights endpoint wants the
media id: the shortcode is looked up once among the account's own posts
(``GET /{threads-user-id}/threads?fields=id,shortcode``, paged by cursor), and the media id
comes back as ``resolved_ref`` to be stored. Finding it there is also the proof the post
is the account's own.

``GET /{media-id}/insights?metric=views,likes,replies,reposts,quotes`` answers
``{"data": [{"name": "views", "period": "lifetime", "values": [{"value": 52}], ...}, ...]}``
(``total_value: {value}`` on some metrics instead of ``values``). Errors are Graph errors,
``{"error": {"message", "type", "code", ...}}``: code 190 (an expired or revoked token) is
the account's problem, codes 4, 17, 32 and 613 are rate limits, code 100 an unknown or
foreign media id. The token travels in the ``Authorization: Bearer`` header, never in a URL.
"""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import quote, urlencode

from django.conf import settings

from advocacy.networks import REPORTED_METRICS, Network
from connections.selectors import AccountAccess

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
)
from .ratelimit import backoff_delay

INSIGHT_METRICS = ("views", "likes", "replies", "reposts", "quotes")
# Pages of the account's posts looked through for a shortcode (100 posts a page).
SHORTCODE_PAGES = 5
_RATE_LIMIT_CODES = {4, 17, 32, 613}
_TOKEN_CODES = {190}


class ThreadsProvider(Provider):
    network = Network.THREADS
    label = "Threads"
    # No app-wide token: each share is read with its owner's connected account token.
    needs_token = False
    uses_account_tokens = True
    reports = REPORTED_METRICS[Network.THREADS]
    notes = "Media insights read with the employee's connected Threads account; views shown as impressions."

    @classmethod
    def from_settings(cls, **kwargs) -> ThreadsProvider:
        config = ProviderConfig(base_url=settings.METRICS_THREADS_API_URL, timeout=settings.METRICS_HTTP_TIMEOUT)
        return cls(config, **kwargs)

    def _fetch(self, refs: list[PostRef]) -> dict[PostRef, MetricResult]:
        results: dict[PostRef, MetricResult] = {}
        for position, ref in enumerate(refs):
            access = self.accounts.get(ref)
            if access is None:
                results[ref] = MetricResult(
                    ref,
                    Outcome.UNAVAILABLE,
                    detail="Threads shows a post's numbers only to its author: connect your Threads account.",
                )
                continue
            result = self._fetch_one(ref, access)
            results[ref] = result
            if result.outcome is Outcome.RATE_LIMITED:
                # Threads limits per app and account pair, but one limit hit says the app is busy: stop here.
                for rest in refs[position + 1 :]:
                    results[rest] = replace(result, ref=rest, detail=f"Not asked: {result.detail}")
                break
        return results

    def _fetch_one(self, ref: PostRef, access: AccountAccess) -> MetricResult:
        headers = {"Authorization": f"Bearer {access.token}"}
        media_id = ref.post_id
        resolved = None
        if not media_id.isdigit():
            found = self._media_id_for(ref.post_id, access, headers)
            if isinstance(found, MetricResult):
                return replace(found, ref=ref)
            media_id = found
            resolved = replace(ref, post_id=media_id)
        query = urlencode({"metric": ",".join(INSIGHT_METRICS)})
        answer = self._graph_get(f"{self._base()}/{quote(media_id, safe='')}/insights?{query}", headers)
        if isinstance(answer, MetricResult):
            return replace(answer, ref=ref, resolved_ref=resolved)
        try:
            values = _insight_values(answer)
            metrics = Metrics(
                impressions=values.get("views"),
                likes=values.get("likes"),
                replies=values.get("replies"),
                reposts=values.get("reposts"),
                quotes=values.get("quotes"),
            )
        except MalformedAnswer as exc:
            return MetricResult(
                ref, Outcome.TRANSIENT, detail=f"Unexpected insights answer: {exc}", resolved_ref=resolved
            )
        # The post was found among (or read with) the author's own token: that is who wrote it.
        facts = PostFacts(author=frozenset({access.remote_account_id}))
        return MetricResult(ref, Outcome.OK, metrics=metrics, http_status=200, resolved_ref=resolved, facts=facts)

    def _base(self) -> str:
        return self.config.base_url.rstrip("/")

    def _media_id_for(self, shortcode: str, access: AccountAccess, headers: dict) -> str | MetricResult:
        """The media id of the account's own post with this shortcode, paging through its posts."""
        user = quote(access.remote_account_id or "me", safe="")
        params = {"fields": "id,shortcode", "limit": "100"}
        for _ in range(SHORTCODE_PAGES):
            payload = self._graph_get(f"{self._base()}/{user}/threads?{urlencode(params)}", headers)
            if isinstance(payload, MetricResult):
                return payload
            posts = payload.get("data")
            if not isinstance(posts, list):
                return _failure(Outcome.TRANSIENT, detail="The list of your Threads posts came back without data")
            for post in posts:
                if isinstance(post, dict) and post.get("shortcode") == shortcode and str(post.get("id", "")).isdigit():
                    return str(post["id"])
            paging = payload.get("paging") if isinstance(payload.get("paging"), dict) else {}
            after = (paging.get("cursors") or {}).get("after") if isinstance(paging.get("cursors"), dict) else None
            if not after or not paging.get("next"):
                break
            params["after"] = str(after)
        return _failure(
            Outcome.UNAVAILABLE,
            detail="That post is not among your connected Threads account's posts (is it yours, and recent?).",
        )

    def _graph_get(self, url: str, headers: dict) -> dict | MetricResult:
        answer = self._get(url, headers=headers)
        return answer if isinstance(answer, MetricResult) else self._json(answer)

    def _classify(self, response):
        """Graph errors say what went wrong in the body's error code, not always in the status."""
        classified = super()._classify(response)
        if not isinstance(classified, MetricResult):
            return classified
        code = _graph_error_code(response.body)
        if code in _TOKEN_CODES or response.status == 401:
            return replace(
                classified, outcome=Outcome.UNAUTHORISED, detail="Threads refused the connected account's token"
            )
        if code in _RATE_LIMIT_CODES:
            delay = classified.retry_after or backoff_delay(attempt=self.attempt, rng=self.rng)
            return replace(classified, outcome=Outcome.RATE_LIMITED, retry_after=delay)
        if code == 100 and response.status == 400:
            return replace(classified, outcome=Outcome.UNAVAILABLE, detail="Threads does not know that post")
        return classified


def _graph_error_code(body: bytes) -> int | None:
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError, UnicodeDecodeError):
        return None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, int) else None


def _insight_values(payload: dict) -> dict[str, int | None]:
    data = payload.get("data")
    if not isinstance(data, list):
        raise MalformedAnswer("no data list")
    values: dict[str, int | None] = {}
    for entry in data:
        if not isinstance(entry, dict) or entry.get("name") not in INSIGHT_METRICS:
            continue
        total = entry.get("total_value")
        if isinstance(total, dict):
            values[entry["name"]] = count(total.get("value"))
            continue
        series = entry.get("values")
        if not isinstance(series, list) or not series or not isinstance(series[-1], dict):
            raise MalformedAnswer(f"{entry['name']} has no value")
        values[entry["name"]] = count(series[-1].get("value"))
    return values
