"""Writes for engagement metrics: tracking shares, queueing pulls, applying what the networks answer.

A pull is identified by (share, slot), where the slot is the share's ``next_pull_at``
when the pull was queued. Everything that applies an answer runs under a row lock
on the share's ``ShareMetrics`` and first checks that the slot is still the one
due, so a pull that is retried, queued twice, or re-delivered after the worker
died between the network's answer and the commit records exactly one snapshot.
The network is asked outside any transaction; a crash there loses nothing, since
the slot stays due and its lease runs out.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from connections.selectors import accounts_access_for
from connections.services import connected_account_problem_record
from sharing.models import Share, Verification
from sharing.services import share_verification_record

from .models import METRIC_FIELDS, MetricChange, MetricSnapshot, ProviderHealth, PullFailure, ShareMetrics
from .providers import PROVIDER_CLASSES, MetricResult, Metrics, Outcome, PostRef, provider_for
from .providers.ratelimit import backoff_delay
from .schedule import next_slot
from .tracking import shares_start_tracking
from .verification import profile_handle, verification_decide

log = logging.getLogger(__name__)

# How many shares one pull task asks about (one or a few API calls each).
TASK_BATCH = {"x": 100, "bluesky": 100, "linkedin": 100, "mastodon": 40, "threads": 25}


@dataclass(frozen=True)
class PullItem:
    share_id: int
    slot: datetime

    def as_json(self) -> list:
        return [self.share_id, self.slot.isoformat()]

    @classmethod
    def from_json(cls, value) -> PullItem:
        share_id, slot = value
        return cls(int(share_id), datetime.fromisoformat(slot))


@dataclass
class PullReport:
    """What a pull did; ``retries`` are (items, countdown seconds, attempt) already queued."""

    recorded: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    finished: list[int] = field(default_factory=list)
    retries: list[tuple[list[PullItem], float, int]] = field(default_factory=list)


# --- scheduling ------------------------------------------------------------------------------------


@transaction.atomic
def pulls_schedule(*, now: datetime | None = None) -> dict[str, int]:
    """Claim the pulls that are due and queue them in batches per network (and per Mastodon instance).

    Networks without credentials are marked "not configured" and skipped; networks
    paused by a rate limit or rejected credentials are skipped until the pause ends.
    A claim is a lease: if the queued task is lost, the share is due again when it ends.
    """
    now = now or timezone.now()
    shares_start_tracking(now=now)
    queued: dict[str, int] = {}
    lease = now + timedelta(minutes=settings.METRICS_PULL_LEASE_MINUTES)
    healths = {health.network: health for health in ProviderHealth.objects.select_for_update()}
    for network in PROVIDER_CLASSES:
        health = healths.get(network) or ProviderHealth.objects.create(network=network)
        if not provider_for(network).is_configured():
            if health.status != ProviderHealth.Status.NOT_CONFIGURED:
                health.status = ProviderHealth.Status.NOT_CONFIGURED
                health.save(update_fields=["status"])
            continue
        if health.status == ProviderHealth.Status.NOT_CONFIGURED:
            health.status = ProviderHealth.Status.UNKNOWN
            health.save(update_fields=["status"])
        if health.paused_until and health.paused_until > now:
            continue
        due = list(
            _due(network=network, now=now)
            .order_by("next_pull_at", "share_id")
            .values_list("share_id", "instance", "next_pull_at")[: settings.METRICS_PULL_MAX_PER_RUN]
        )
        claimed = _due(network=network, now=now).filter(share_id__in=[d[0] for d in due]).update(leased_until=lease)
        if claimed != len(due):
            # Another scheduler raced us; leave it all to the next run rather than double-queue.
            transaction.set_rollback(True)
            return {}
        by_instance: dict[str, list[PullItem]] = defaultdict(list)
        for share_id, instance, slot in due:
            by_instance[instance].append(PullItem(share_id, slot))
        size = TASK_BATCH.get(network, 50)
        for items in by_instance.values():
            for start in range(0, len(items), size):
                _queue_pull(network=network, items=items[start : start + size], attempt=0, countdown=0)
        queued[network] = len(due)
    return queued


def _due(*, network: str, now: datetime):
    return ShareMetrics.objects.filter(
        network=network, status=ShareMetrics.Status.TRACKING, next_pull_at__lte=now, is_demo=False
    ).exclude(leased_until__gt=now)


def _queue_pull(*, network: str, items: list[PullItem], attempt: int, countdown: float) -> None:
    from .tasks import pull_metrics

    payload = [item.as_json() for item in items]
    transaction.on_commit(
        lambda: pull_metrics.apply_async((network, payload), {"attempt": attempt}, countdown=max(0, round(countdown)))
    )


# --- pulling ------------------------------------------------------------------------------------------


def metrics_pull(*, network: str, items: list[PullItem], attempt: int = 0, now: datetime | None = None) -> PullReport:
    """Ask the network about the given (share, slot) pulls and apply each answer.

    Pulls already applied (their slot is no longer due) are skipped before asking.
    Transient failures are queued again with backoff until METRICS_PULL_MAX_ATTEMPTS,
    then recorded as a PullFailure and the share moves on to its next slot; rate
    limits are queued again after the network's delay and pause the network.
    """
    report = PullReport()
    provider = provider_for(network)
    pending = _pending(items)
    report.skipped = [item.share_id for item in items if item not in pending]
    if not pending:
        return report
    refs = {item: PostRef(network, pending[item].post_id, pending[item].instance) for item in pending}
    accounts = _accounts_for(network=network, refs=refs) if provider.uses_account_tokens else {}
    accounts = {ref: access for ref, access in accounts.items() if provider.reads_with_account(ref, access)}
    # The only slow part, and outside any transaction: nothing is held while the network thinks.
    results = provider.fetch(refs.values(), attempt=attempt, accounts=accounts)
    identities = _identities_to_verify(provider=provider, network=network, results={i: results[refs[i]] for i in refs})
    now = now or timezone.now()

    retry_transient: list[PullItem] = []
    rate_limited: list[tuple[PullItem, float]] = []
    for item, ref in refs.items():
        result = results[ref]
        result = _public_refusal(provider=provider, result=result)
        if result.outcome is Outcome.UNAUTHORISED and provider.uses_account_tokens and ref in accounts:
            # One employee's token, not ours: their account page says reconnect; the others go on.
            connected_account_problem_record(account_id=accounts[ref].account_id, detail=result.detail)
            result = replace(result, outcome=Outcome.UNAVAILABLE, detail=f"{result.detail}: reconnect the account")
            # Nor is it the network's credentials (LinkedIn has an app token too): health sees it as applied.
            results[ref] = result
        applied = _apply(item=item, result=result, attempt=attempt, now=now, report=report, identities=identities)
        if applied == "retry":
            retry_transient.append(item)
        elif applied == "rate_limited":
            rate_limited.append((item, result.retry_after or backoff_delay(attempt=attempt)))

    _health_record(network=network, provider=provider, results=[results[ref] for ref in refs.values()], now=now)
    if retry_transient:
        countdown = backoff_delay(attempt=attempt)
        _requeue(network=network, items=retry_transient, attempt=attempt + 1, countdown=countdown, now=now)
        report.retries.append((retry_transient, countdown, attempt + 1))
    if rate_limited:
        countdown = max(delay for _, delay in rate_limited)
        items_ = [item for item, _ in rate_limited]
        # Waiting out a limit is not a failed attempt.
        _requeue(network=network, items=items_, attempt=attempt, countdown=countdown, now=now)
        report.retries.append((items_, countdown, attempt))
    return report


def _accounts_for(*, network: str, refs: dict[PullItem, PostRef]) -> dict:
    """{ref: the share owner's connected account access} for the shares whose owner has a usable one."""
    owners = dict(Share.objects.filter(pk__in=[item.share_id for item in refs]).values_list("pk", "user_id"))
    access = accounts_access_for(person_ids=set(owners.values()), network=network)
    return {ref: access[owners[item.share_id]] for item, ref in refs.items() if owners.get(item.share_id) in access}


def _public_refusal(*, provider, result: MetricResult) -> MetricResult:
    """What a 401/403 from an API we read without credentials means: never "our credentials".

    A 401 there is the instance or AppView asking for sign-in just now (a server switched to
    authorised fetch for a while, an overloaded AppView shedding anonymous reads, a proxy
    in front of it): transient, asked again with backoff, and after the last attempt the share
    moves on to its next slot like any other failure. Only a 403 (the post is refused to us)
    makes the post unavailable.
    """
    if result.outcome is not Outcome.UNAUTHORISED or provider.needs_token or provider.uses_account_tokens:
        return result
    if result.http_status == 401:
        return replace(result, outcome=Outcome.TRANSIENT, detail=f"{result.detail} (sign-in asked; retried)")
    return replace(result, outcome=Outcome.UNAVAILABLE, detail=f"{result.detail} (sign-in required)")


def _pending(items: list[PullItem]) -> dict[PullItem, ShareMetrics]:
    rows = ShareMetrics.objects.in_bulk([item.share_id for item in items], field_name="share_id")
    return {
        item: rows[item.share_id]
        for item in dict.fromkeys(items)
        if item.share_id in rows
        and rows[item.share_id].status == ShareMetrics.Status.TRACKING
        and rows[item.share_id].next_pull_at == item.slot
    }


def _identities_to_verify(*, provider, network: str, results: dict) -> dict[str, object]:
    """{profile handle: what posts by its owner carry} for the shares whose answered post awaits verification.

    Asked here, outside any transaction, since turning a handle into an id may be a network call.
    """
    answered = [item.share_id for item, result in results.items() if result.outcome is Outcome.OK]
    shares = Share.objects.filter(pk__in=answered, published_verification=Verification.VERIFYING).select_related("user")
    identities: dict[str, object] = {}
    for share in shares:
        handle = profile_handle(user=share.user, network=network)
        if handle and handle not in identities:
            identities[handle] = provider.profile_identity(handle)
    return identities


def _verify(*, tracked: ShareMetrics, result: MetricResult, identities: dict, now: datetime) -> None:
    """Decide a verifying post from its first answered pull; a post pasted since then waits for its own."""
    share = (
        Share.objects.select_related("user")
        .filter(pk=tracked.share_id, published_verification=Verification.VERIFYING)
        .first()
    )
    if share is None or share.published_recorded_at != tracked.published_at:
        return
    handle = profile_handle(user=share.user, network=share.network)
    decision = verification_decide(
        network=share.network, code=share.code, handle=handle, facts=result.facts, identity=identities.get(handle)
    )
    share_verification_record(
        share_id=share.pk,
        post_key=share.published_post_key,
        state=decision.state,
        detail=decision.detail,
        resolved_post_key=result.resolved_ref.post_id if result.resolved_ref is not None else "",
        now=now,
    )


@transaction.atomic
def _requeue(*, network: str, items: list[PullItem], attempt: int, countdown: float, now: datetime) -> None:
    lease = now + timedelta(seconds=countdown) + timedelta(minutes=settings.METRICS_PULL_LEASE_MINUTES)
    ShareMetrics.objects.filter(share_id__in=[item.share_id for item in items]).update(leased_until=lease)
    _queue_pull(network=network, items=items, attempt=attempt, countdown=countdown)


@transaction.atomic
def _apply(
    *, item: PullItem, result: MetricResult, attempt: int, now: datetime, report: PullReport, identities: dict
) -> str:
    """Apply one answer under the share's row lock; returns what happened.

    A post awaiting verification is decided in the same transaction as its first snapshot,
    so the ledger never sees a metric change of a post whose verification is not known.
    """
    tracked = ShareMetrics.objects.select_for_update().filter(share_id=item.share_id).first()
    if tracked is None or tracked.status != ShareMetrics.Status.TRACKING or tracked.next_pull_at != item.slot:
        report.skipped.append(item.share_id)
        return "skipped"
    outcome = result.outcome
    if outcome is Outcome.OK:
        _verify(tracked=tracked, result=result, identities=identities, now=now)
        snapshot_record(tracked=tracked, slot=item.slot, metrics=result.metrics, taken_at=now)
        if result.resolved_ref is not None:
            tracked.post_id = result.resolved_ref.post_id
        if result.author_followers is not None:
            tracked.author_followers = result.author_followers
        tracked.last_error = ""
        _advance(tracked=tracked, now=now)
        report.recorded.append(item.share_id)
        return "recorded"
    if outcome in (Outcome.DELETED, Outcome.UNAVAILABLE):
        tracked.status = ShareMetrics.Status.DELETED if outcome is Outcome.DELETED else ShareMetrics.Status.UNAVAILABLE
        tracked.next_pull_at = None
        tracked.leased_until = None
        tracked.last_error = result.detail[:500]
        tracked.save()
        if outcome is Outcome.UNAVAILABLE:
            _failure_record(tracked=tracked, item=item, result=result, attempts=attempt + 1, now=now)
        report.finished.append(item.share_id)
        return "finished"
    if outcome is Outcome.TRANSIENT:
        if attempt + 1 < settings.METRICS_PULL_MAX_ATTEMPTS:
            return "retry"
        _failure_record(tracked=tracked, item=item, result=result, attempts=attempt + 1, now=now)
        tracked.last_error = result.detail[:500]
        _advance(tracked=tracked, now=now)
        report.failed.append(item.share_id)
        return "failed"
    if outcome is Outcome.RATE_LIMITED:
        return "rate_limited"
    # Credentials rejected or not configured: the slot stays due; the network is paused until an admin acts.
    tracked.leased_until = None
    tracked.last_error = result.detail[:500]
    tracked.save(update_fields=["leased_until", "last_error"])
    report.skipped.append(item.share_id)
    return "waiting"


def _advance(*, tracked: ShareMetrics, now: datetime) -> None:
    tracked.next_pull_at = next_slot(published_at=tracked.published_at, after=tracked.next_pull_at, now=now)
    if tracked.next_pull_at is None:
        tracked.status = ShareMetrics.Status.FINISHED
    tracked.leased_until = None
    tracked.save()


def _failure_record(*, tracked: ShareMetrics, item: PullItem, result: MetricResult, attempts: int, now: datetime):
    PullFailure.objects.update_or_create(
        share_id=tracked.share_id,
        slot=item.slot,
        defaults={
            "network": tracked.network,
            "outcome": str(result.outcome),
            "detail": result.detail[:500],
            "attempts": attempts,
            "recorded_at": now,
        },
    )


@transaction.atomic
def snapshot_record(
    *, tracked: ShareMetrics, slot: datetime, metrics: Metrics, taken_at: datetime, is_demo: bool = False
) -> MetricSnapshot:
    """Upsert the snapshot for (share, slot); move the totals on and record each change for the ledger.

    Idempotent: recording the same slot again returns the existing snapshot and
    changes nothing. A metric the network does not report (None) keeps its last
    known total, and a snapshot older than the one the totals came from never
    overwrites them.
    """
    values = metrics.as_dict()
    snapshot, created = MetricSnapshot.objects.get_or_create(
        share_id=tracked.share_id, slot=slot, defaults={**values, "taken_at": taken_at, "is_demo": is_demo}
    )
    if not created:
        return snapshot
    if tracked.totals_slot is not None and slot <= tracked.totals_slot:
        return snapshot
    changes = []
    for name in METRIC_FIELDS:
        new, old = values[name], getattr(tracked, name)
        if new is None or new == old:
            continue
        setattr(tracked, name, new)
        if old is None and new == 0:
            continue  # known at last, but nothing happened: no change for the ledger
        changes.append(
            MetricChange(
                share_id=tracked.share_id,
                metric=name,
                total=new,
                previous_total=old,
                snapshot=snapshot,
                occurred_at=taken_at,
            )
        )
    MetricChange.objects.bulk_create(changes, ignore_conflicts=True)
    tracked.totals_slot = slot
    tracked.last_pulled_at = taken_at
    tracked.save()
    return snapshot


# --- provider health ---------------------------------------------------------------------------------


@transaction.atomic
def _health_record(*, network: str, provider, results: list[MetricResult], now: datetime) -> ProviderHealth:
    health, _ = ProviderHealth.objects.select_for_update().get_or_create(network=network)
    outcomes = {result.outcome for result in results}
    problem = next((r for r in results if r.outcome not in (Outcome.OK, Outcome.DELETED)), None)
    if Outcome.UNAUTHORISED in outcomes and provider.needs_token:
        rejected = next(r for r in results if r.outcome is Outcome.UNAUTHORISED)
        health.status = ProviderHealth.Status.CREDENTIALS
        health.credentials_rejected_at = now
        health.paused_until = now + timedelta(minutes=settings.METRICS_CREDENTIALS_RECHECK_MINUTES)
        health.last_error = rejected.detail[:500]
        health.last_failure_at = now
        log.warning("metrics: %s rejected our credentials: %s", network, rejected.detail)
    elif Outcome.NOT_CONFIGURED in outcomes:
        health.status = ProviderHealth.Status.NOT_CONFIGURED
    elif Outcome.RATE_LIMITED in outcomes:
        limited = max((r.retry_after or 0) for r in results if r.outcome is Outcome.RATE_LIMITED)
        health.status = ProviderHealth.Status.RATE_LIMITED
        health.last_error = next(r.detail for r in results if r.outcome is Outcome.RATE_LIMITED)[:500]
        if provider.network != "mastodon":
            # One AppView, one X app, one LinkedIn app: the limit applies to every pull; Mastodon's is per instance.
            health.paused_until = now + timedelta(seconds=limited)
    elif outcomes & {Outcome.OK, Outcome.DELETED}:
        health.status = ProviderHealth.Status.OK
        health.last_success_at = now
        health.consecutive_failures = 0
        health.paused_until = None
        health.credentials_rejected_at = None
    if problem is not None and problem.outcome is Outcome.TRANSIENT and Outcome.OK not in outcomes:
        health.status = ProviderHealth.Status.FAILING
        health.consecutive_failures += 1
        health.last_failure_at = now
        health.last_error = problem.detail[:500]
    health.save()
    return health
