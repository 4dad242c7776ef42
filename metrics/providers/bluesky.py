"""Bluesky: the public AppView, no token needed.

A bsky.app link names the author by handle or DID; the AppView's
``app.bsky.feed.getPosts`` takes up to 25 ``at://`` URIs per call, and answers
post views with ``likeCount``, ``repostCount``, ``replyCount`` and ``quoteCount``.
Handles are resolved to DIDs first (``com.atproto.identity.resolveHandle``), since
a handle can change while the DID cannot; the DID form comes back as
``resolved_ref`` so it can be stored. getPosts leaves out posts that no longer
exist instead of failing, so a post missing from a successful answer is deleted.
Rate-limit headers: ``RateLimit-Remaining`` / ``RateLimit-Reset`` (epoch seconds).
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import urlencode

from django.conf import settings

from advocacy.networks import REPORTED_METRICS, Network
from sharing.published_posts import at_uri

from .base import (
    MalformedAnswer,
    MetricResult,
    Metrics,
    Outcome,
    PostFacts,
    PostRef,
    Provider,
    ProviderConfig,
    count,
    follower_count,
    for_refs,
)

BATCH_SIZE = 25
_DID = re.compile(r"^did:(?:plc:[a-z2-7]{24}|web:[a-z0-9.:%-]+)$")
_URI = re.compile(r"^at://(?P<actor>[^/]+)/app\.bsky\.feed\.post/(?P<rkey>[^/]+)$")
_HALTING = (Outcome.RATE_LIMITED, Outcome.UNAUTHORISED, Outcome.TRANSIENT)


class BlueskyProvider(Provider):
    network = Network.BLUESKY
    label = "Bluesky"
    reports = REPORTED_METRICS[Network.BLUESKY]
    notes = "Public AppView; no token needed. Bluesky does not publish view counts."

    @classmethod
    def from_settings(cls, **kwargs) -> BlueskyProvider:
        config = ProviderConfig(base_url=settings.METRICS_BLUESKY_APPVIEW_URL, timeout=settings.METRICS_HTTP_TIMEOUT)
        return cls(config, **kwargs)

    def profile_identity(self, handle: str) -> frozenset[str] | MetricResult | None:
        """The DID the profile's handle resolves to (com.atproto.identity.resolveHandle): what posts carry."""
        handle = handle.strip().lstrip("@").lower()
        if not handle:
            return None
        if handle.startswith("did:"):
            return frozenset({handle})
        did = self._resolve_handle(self.config.base_url.rstrip("/"), handle)
        if isinstance(did, MetricResult):
            # A handle that resolves to no account (400) matches no post; anything else is asked again.
            return frozenset() if did.http_status == 400 else did
        return frozenset({did})

    def _fetch(self, refs: list[PostRef]) -> dict[PostRef, MetricResult]:
        base = self.config.base_url.rstrip("/")
        results: dict[PostRef, MetricResult] = {}
        # Resolve each handle once; refs that fail keep their outcome and are not asked for.
        resolved: dict[PostRef, PostRef] = {}
        dids: dict[str, str | MetricResult] = {}
        for ref in refs:
            match = _URI.match(ref.post_id)
            if not match:
                results[ref] = MetricResult(ref, Outcome.UNAVAILABLE, detail="Not an at:// post URI")
                continue
            actor = match["actor"]
            if actor.startswith("did:"):
                resolved[ref] = ref
                continue
            if actor not in dids:
                dids[actor] = self._resolve_handle(base, actor)
                if isinstance(dids[actor], MetricResult) and dids[actor].outcome in _HALTING:
                    # A limit, a credentials problem or an outage applies to every call to this AppView.
                    halted = dids[actor]
                    for rest in refs:
                        results.setdefault(rest, replace(halted, ref=rest, detail=f"Not asked: {halted.detail}"))
                    results[ref] = replace(halted, ref=ref)
                    return results
            did = dids[actor]
            if isinstance(did, MetricResult):
                results[ref] = replace(did, ref=ref)
            else:
                resolved[ref] = replace(ref, post_id=at_uri(did, match["rkey"]))

        pending = list(resolved)
        for start in range(0, len(pending), BATCH_SIZE):
            batch = pending[start : start + BATCH_SIZE]
            outcome = self._get_posts(base, batch, resolved)
            results.update(outcome)
            halted = next((r for r in outcome.values() if r.outcome in _HALTING), None)
            if halted is not None:
                for rest in pending[start + BATCH_SIZE :]:
                    results[rest] = replace(halted, ref=rest, detail=f"Not asked: {halted.detail}")
                break
        return results

    def _resolve_handle(self, base: str, handle: str) -> str | MetricResult:
        answer = self._get(f"{base}/xrpc/com.atproto.identity.resolveHandle?{urlencode({'handle': handle})}")
        if isinstance(answer, MetricResult):
            if answer.http_status == 400:
                return replace(answer, detail=f"The handle {handle} does not resolve to an account")
            if answer.outcome is Outcome.DELETED:
                return replace(answer, outcome=Outcome.TRANSIENT, detail=f"{answer.detail} for resolveHandle")
            return answer
        payload = self._json(answer)
        if isinstance(payload, MetricResult):
            return payload
        did = payload.get("did")
        if not isinstance(did, str) or not _DID.match(did):
            return MetricResult(PostRef("", ""), Outcome.TRANSIENT, detail="resolveHandle answered without a DID")
        return did

    def _get_posts(self, base: str, batch: list[PostRef], resolved: dict[PostRef, PostRef]) -> dict:
        query = urlencode([("uris", resolved[ref].post_id) for ref in batch])
        answer = self._get(f"{base}/xrpc/app.bsky.feed.getPosts?{query}")
        if isinstance(answer, MetricResult):
            if answer.outcome is Outcome.DELETED:
                # A 404 on a batch endpoint means the endpoint, not the posts, is missing.
                answer = replace(answer, outcome=Outcome.TRANSIENT, detail=f"{answer.detail} for getPosts")
            return for_refs(answer, batch)
        payload = self._json(answer)
        if isinstance(payload, MetricResult):
            return for_refs(payload, batch)
        posts = payload.get("posts")
        if not isinstance(posts, list):
            return for_refs(
                MetricResult(PostRef("", ""), Outcome.TRANSIENT, detail="getPosts answered without posts"), batch
            )
        views = {view.get("uri"): view for view in posts if isinstance(view, dict)}
        results = {}
        for ref in batch:
            did_ref = resolved[ref]
            view = views.get(did_ref.post_id)
            extra = {"resolved_ref": did_ref} if did_ref != ref else {}
            if view is None:
                results[ref] = MetricResult(
                    ref, Outcome.DELETED, detail="Bluesky no longer shows this post", http_status=answer.status, **extra
                )
                continue
            try:
                metrics = Metrics(
                    likes=count(view.get("likeCount")),
                    reposts=count(view.get("repostCount")),
                    replies=count(view.get("replyCount")),
                    quotes=count(view.get("quoteCount")),
                )
            except MalformedAnswer as exc:
                results[ref] = MetricResult(ref, Outcome.TRANSIENT, detail=f"Unexpected post view: {exc}")
                continue
            results[ref] = MetricResult(
                ref, Outcome.OK, metrics=metrics, http_status=answer.status, facts=_facts(view), **extra
            )
        return self._with_followers(base, results)

    def _with_followers(self, base: str, results: dict[PostRef, MetricResult]) -> dict[PostRef, MetricResult]:
        """Each author's ``followersCount`` from ``app.bsky.actor.getProfiles`` (one call per batch's authors).

        Potential reach is a nice-to-have beside the metrics: if the call fails, the
        results keep their metrics and the followers stay unknown.
        """
        authors = {ref: next(iter(r.facts.author)) for ref, r in results.items() if r.ok and r.facts and r.facts.author}
        actors = sorted(set(authors.values()))[:BATCH_SIZE]
        if not actors:
            return results
        answer = self._get(f"{base}/xrpc/app.bsky.actor.getProfiles?{urlencode([('actors', a) for a in actors])}")
        payload = {} if isinstance(answer, MetricResult) else self._json(answer)
        profiles = payload.get("profiles") if isinstance(payload, dict) else None
        followers = {
            str(profile.get("did")): follower_count(profile.get("followersCount"))
            for profile in (profiles if isinstance(profiles, list) else [])
            if isinstance(profile, dict)
        }
        for ref, did in authors.items():
            if followers.get(did) is not None:
                results[ref] = replace(results[ref], author_followers=followers[did])
        return results


def _facts(view: dict) -> PostFacts:
    """The author's DID, and the post's text, link facets and external embed (where a link card's URL is)."""
    author = view.get("author") if isinstance(view.get("author"), dict) else {}
    record = view.get("record") if isinstance(view.get("record"), dict) else {}
    texts = [str(record.get("text") or "")]
    for facet in record.get("facets") or []:
        for feature in (facet.get("features") or []) if isinstance(facet, dict) else []:
            if isinstance(feature, dict) and feature.get("$type") == "app.bsky.richtext.facet#link":
                texts.append(str(feature.get("uri") or ""))
    for embed in (record.get("embed"), view.get("embed")):
        external = embed.get("external") if isinstance(embed, dict) else None
        if isinstance(external, dict):
            texts.append(str(external.get("uri") or ""))
    did = str(author.get("did") or "")
    return PostFacts(author=frozenset({did}) if did else frozenset(), texts=tuple(texts))
