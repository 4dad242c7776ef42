"""The interface every network provider implements, and the outcomes it reports.

A provider does two things: turn a pasted post URL into a ``PostRef`` (no network
access), and fetch metrics for a batch of refs, answering one ``MetricResult``
per ref. HTTP failures never escape as exceptions: each ref gets a typed outcome
so the caller (a Celery task) can decide between "store it", "mark the post
deleted", "flag the credentials", "come back later" and "retry".
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import ClassVar
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from advocacy.http import ForbiddenAddress, HttpClient, HttpResponse, TransportError
from advocacy.networks import Network
from sharing.published_posts import published_post_parse

from .ratelimit import retry_delay


class InvalidPostUrl(ValueError):
    """The URL is not a post on this network; the message says why in words an employee understands."""


class Outcome(StrEnum):
    OK = "ok"
    # 404/410 or missing from a batch answer that lists what exists: keep the last metrics seen.
    DELETED = "deleted"
    # 401/403: the token is missing, expired or lacks a scope; an admin must act.
    UNAUTHORISED = "unauthorised"
    # 429 (or a window known to be exhausted): try again after ``retry_after`` seconds.
    RATE_LIMITED = "rate_limited"
    # 5xx, timeout, connection error, malformed answer: retry with backoff.
    TRANSIENT = "transient"
    # The network answered but will not give metrics for this post (malformed id,
    # protected account, handle that no longer resolves): retrying will not help.
    UNAVAILABLE = "unavailable"
    # No credentials in settings: skipped, never an error loop.
    NOT_CONFIGURED = "not_configured"


METRIC_NAMES = ("likes", "reposts", "replies", "quotes", "impressions")


@dataclass(frozen=True)
class Metrics:
    """Totals as the network reports them; None means the network does not say (not zero)."""

    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    quotes: int | None = None
    impressions: int | None = None

    def as_dict(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in METRIC_NAMES}


@dataclass(frozen=True)
class PostRef:
    """A post on a network: ``post_id`` is the network's own id (status id, at:// URI, tweet id, URN).

    ``instance`` is only used by Mastodon (the host the status lives on), since ids
    are local to an instance.
    """

    network: str
    post_id: str
    instance: str = ""

    def __str__(self) -> str:
        return f"{self.network}:{self.instance + '/' if self.instance else ''}{self.post_id}"


@dataclass(frozen=True)
class PostFacts:
    """Who wrote a post and what it links to, as the network answered: what verification compares.

    ``author`` holds the author's identifiers in the network's own terms (Mastodon
    ``user@instance`` and profile URL, Bluesky DID, X user id); ``texts`` the post's
    text, link facets, link cards and expanded URLs, where the tracked link must appear.
    """

    author: frozenset[str]
    texts: tuple[str, ...] = ()
    # Set when the post only re-shares another account's post (a Mastodon boost).
    reshare_of: str = ""


@dataclass(frozen=True)
class MetricResult:
    ref: PostRef
    outcome: Outcome
    metrics: Metrics | None = None
    # Seconds to wait before asking again; set for RATE_LIMITED (always >= 1).
    retry_after: float | None = None
    detail: str = ""
    # A more durable form of the ref learnt while fetching (Bluesky: the handle resolved to a DID).
    resolved_ref: PostRef | None = None
    http_status: int | None = None
    facts: PostFacts | None = None
    # The author's follower count where the network shows it (Mastodon, Bluesky): potential reach.
    author_followers: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK


@dataclass
class ProviderConfig:
    base_url: str = ""
    token: str = ""
    timeout: float = 10.0
    extra: dict = field(default_factory=dict)


class Provider(ABC):
    network: ClassVar[Network]
    label: ClassVar[str]
    needs_token: ClassVar[bool] = False
    # Read with each post's author's connected account (connections) instead of one app token.
    uses_account_tokens: ClassVar[bool] = False
    # What the network can tell us; the rest is always None.
    reports: ClassVar[tuple[str, ...]] = ()
    notes: ClassVar[str] = ""

    def __init__(self, config: ProviderConfig, *, http: HttpClient | None = None, rng=None):
        self.config = config
        self.http = http or HttpClient(timeout=config.timeout)
        self.rng = rng
        self.attempt = 0
        self.accounts: dict = {}

    # --- configuration -------------------------------------------------------
    @classmethod
    @abstractmethod
    def from_settings(cls, **kwargs) -> Provider: ...

    def is_configured(self) -> bool:
        return bool(self.config.base_url) and (bool(self.config.token) or not self.needs_token)

    def reads_with_account(self, ref: PostRef, access) -> bool:
        """Whether ``ref`` is read with its owner's connected account ``access`` (so a refusal is theirs).

        Providers that read some posts with the app's token instead (LinkedIn without the member's
        analytics permission) say no for those.
        """
        return True

    # --- parsing -----------------------------------------------------------------
    def parse_url(self, url: str) -> PostRef:
        """Turn a pasted post URL into a ref, or raise InvalidPostUrl with a message for the employee.

        The decision is sharing's ``published_post_parse``, the one function the paste form
        and the API use too; Mastodon refs live on the URL's own host.
        """
        host = (urlsplit((url or "").strip()).hostname or "").lower().rstrip(".")
        try:
            published = published_post_parse(network=self.network, url=url, mastodon_instance=host or "?")
        except ValidationError as exc:
            raise InvalidPostUrl(" ".join(exc.messages)) from None
        return PostRef(network=self.network, post_id=published.post_id, instance=published.instance)

    # --- verification ---------------------------------------------------------------
    def profile_identity(self, handle: str) -> frozenset[str] | MetricResult | None:
        """The identifiers a post by the owner of profile handle `handle` carries, in PostFacts terms.

        None when this network cannot tell (no public author to compare); a MetricResult
        template when asking failed. Providers that verify override it.
        """
        return None

    # --- fetching --------------------------------------------------------------
    def fetch(self, refs: Iterable[PostRef], *, attempt: int = 0, accounts=None) -> dict[PostRef, MetricResult]:
        """Metrics for every ref (duplicates collapse); ``attempt`` (0 for the first try) scales backoff.

        ``accounts`` ({ref: connections AccountAccess}) is what providers that ``uses_account_tokens``
        read each post with; a ref without one is answered as unavailable.
        """
        unique = list(dict.fromkeys(refs))
        for ref in unique:
            if ref.network != self.network:
                raise ValueError(f"{ref} is not a {self.label} post")
        if not unique:
            return {}
        if not self.is_configured():
            return {
                ref: MetricResult(ref, Outcome.NOT_CONFIGURED, detail=f"{self.label} is not configured")
                for ref in unique
            }
        self.attempt = attempt
        self.accounts = dict(accounts or {})
        results = self._fetch(unique)
        # A provider must answer for every ref; a gap would silently drop a pull.
        for ref in unique:
            if ref not in results:
                results[ref] = MetricResult(ref, Outcome.TRANSIENT, detail="No answer for this post")
        return results

    @abstractmethod
    def _fetch(self, refs: list[PostRef]) -> dict[PostRef, MetricResult]: ...

    # --- helpers shared by providers ------------------------------------------------
    def _get(
        self, url: str, *, headers: dict[str, str] | None = None, client: HttpClient | None = None
    ) -> HttpResponse | MetricResult:
        """GET and classify batch-level failures; returns the response only for 2xx answers."""
        try:
            response = (client or self.http).get(url, headers=headers or {})
        except ForbiddenAddress as exc:
            return _failure(Outcome.UNAVAILABLE, detail=str(exc))
        except TransportError as exc:
            return _failure(Outcome.TRANSIENT, detail=str(exc))
        return self._classify(response)

    def _classify(self, response: HttpResponse) -> HttpResponse | MetricResult:
        status = response.status
        if 200 <= status < 300:
            return response
        outcome = outcome_for_status(status)
        detail = f"{self.label} answered HTTP {status}"
        retry_after = self._retry_delay(response) if outcome is Outcome.RATE_LIMITED else None
        return _failure(outcome, detail=detail, http_status=status, retry_after=retry_after)

    def _retry_delay(self, response: HttpResponse) -> float:
        return retry_delay(response.headers, attempt=self.attempt, rng=self.rng)

    @staticmethod
    def _json(response: HttpResponse) -> dict | MetricResult:
        try:
            payload = json.loads(response.body)
        except (ValueError, UnicodeDecodeError):
            return _failure(Outcome.TRANSIENT, detail="Malformed JSON in the answer", http_status=response.status)
        if not isinstance(payload, dict):
            return _failure(
                Outcome.TRANSIENT, detail="Unexpected JSON shape in the answer", http_status=response.status
            )
        return payload


def outcome_for_status(status: int) -> Outcome:
    """What a non-2xx status means for a post (whole answers and per-item statuses alike)."""
    if status in (404, 410):
        return Outcome.DELETED
    if status in (401, 403):
        return Outcome.UNAUTHORISED
    if status == 429:
        return Outcome.RATE_LIMITED
    if status >= 500 or status == 408:
        return Outcome.TRANSIENT
    return Outcome.UNAVAILABLE


def _failure(outcome: Outcome, **kwargs) -> MetricResult:
    # A template without a ref; ``for_refs`` stamps it onto each ref of the batch.
    return MetricResult(ref=_NO_REF, outcome=outcome, **kwargs)


_NO_REF = PostRef(network="", post_id="")


def for_refs(template: MetricResult, refs: Sequence[PostRef]) -> dict[PostRef, MetricResult]:
    return {ref: replace(template, ref=ref) for ref in refs}


def count(value) -> int | None:
    """A metric from JSON: a non-negative int, or None when absent; anything else is malformed."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MalformedAnswer(f"not a count: {value!r}")
    return value


class MalformedAnswer(ValueError):
    pass


def follower_count(value) -> int | None:
    """A follower count from JSON, or None when absent or not a count: it never fails the metrics."""
    try:
        return count(value)
    except MalformedAnswer:
        return None
