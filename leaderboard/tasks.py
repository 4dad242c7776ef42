"""Celery tasks for points: thin adapters over the services, all safe to run twice.

Awards come from one place: ``scan_sources`` (beat, every minute) finds shares, click
days, metric changes and approved suggestions that have no points yet, awards them and
applies the new ledger events to the standings. Nothing in another app calls us (they
sit below the leaderboard and never import it). The ``award_*`` tasks award one cause
by id, for a worker or an operator re-running one (``celery call leaderboard.award_share``).
HR's voids, adjustments and recomputes queue the apply themselves (``queue_standings_apply``).
"""

import time
from contextlib import contextmanager
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import click_awards, review_flags, selectors, services, standings_apply, standings_rebuild
from .periods import local_date

SHARE_SCAN_DAYS = 3
# The scan's advisory lock on PostgreSQL (an arbitrary constant: "LBD" + 2; the standings use + 1).
SCAN_LOCK_KEY = 0x4C424402


def _apply_all() -> int:
    applied = 0
    while True:
        count = standings_apply.standings_apply_pending()
        applied += count
        if count < standings_apply.APPLY_BATCH:
            return applied


@shared_task(name="leaderboard.apply_standings")
def apply_standings() -> int:
    """Apply every queued ledger event to the standings."""
    return _apply_all()


@shared_task(name="leaderboard.rebuild_standings")
def rebuild_standings() -> int:
    """Recreate the standings from the whole ledger (periodic, and after visibility settings change)."""
    return standings_rebuild.standings_rebuild()


@shared_task(name="leaderboard.reflag_standings")
def reflag_standings(user_id: int) -> int:
    """Take a deactivated person off the boards (or put a reactivated one back); safe to run twice."""
    from .standings import standings_reflag

    with transaction.atomic():
        return standings_reflag(user_ids=[user_id])


def queue_reflag(*, user_id: int) -> None:
    """Registered with advocacy.people.deactivations (already after the commit)."""
    reflag_standings.delay(user_id)


@shared_task(name="leaderboard.refresh_review_flags")
def refresh_review_flags(full: bool = False) -> int:
    """Recompute the stored HR review flags of whoever had new clicks (``full``: everyone in the boards' windows)."""
    return review_flags.review_flags_refresh(full=full)


@shared_task(name="leaderboard.award_share")
def award_share(share_id: int) -> None:
    services.points_award_for_share(share_id=share_id)
    _apply_all()


@shared_task(name="leaderboard.award_clicks")
def award_clicks(share_id: int, day: str) -> None:
    services.points_award_for_clicks(share_id=share_id, day=datetime.fromisoformat(day).date())
    _apply_all()


@shared_task(name="leaderboard.award_metric_change")
def award_metric_change(change_id: int) -> None:
    services.points_award_for_metric_change(change_id=change_id)
    _apply_all()


@shared_task(name="leaderboard.award_suggestion")
def award_suggestion(suggestion_id: int) -> None:
    services.points_award_for_suggestion(suggestion_id=suggestion_id)
    _apply_all()


@shared_task(name="leaderboard.scan_sources")
def scan_sources(full: bool = False) -> dict:
    """Award every cause that has no points yet, then update the standings.

    The minute run looks at recent shares and the last two days of clicks; the
    nightly ``full`` run looks at every share, so nothing missed stays missed.
    One scan at a time: a scan that finds another still running returns at once.
    Click awards stop starting new chunks halfway through the soft time limit (the
    rest wait a minute for the next scan), so the limit always covers the chunk under way.
    """
    with scan_exclusive() as acquired:
        if not acquired:
            return {"skipped": "another scan is running"}
        return _scan(full=full, deadline=time.monotonic() + settings.CELERY_TASK_SOFT_TIME_LIMIT / 2)


def _scan(*, full: bool, deadline: float) -> dict:
    now = timezone.now()
    since = datetime(2000, 1, 1, tzinfo=now.tzinfo) if full else now - timedelta(days=SHARE_SCAN_DAYS)
    counts = {"shares": 0, "click_days": 0, "suggestions": 0}
    while True:
        share_ids = selectors.shares_awaiting_points(since=since)
        for share_id in share_ids:
            services.points_award_for_share(share_id=share_id)
        counts["shares"] += len(share_ids)
        if len(share_ids) < 1000:
            break
    counts["click_days"] = award_click_days(now=now, deadline=deadline)
    for suggestion_id in selectors.suggestions_awaiting_points():
        services.points_award_for_suggestion(suggestion_id=suggestion_id)
        counts["suggestions"] += 1
    counts["metric_changes"] = _in_batches(
        selectors.metric_changes_awaiting_points,
        lambda change_id: services.points_award_for_metric_change(change_id=change_id),
    )
    counts["voided_unverified"] = _in_batches(
        selectors.metric_events_of_failed_posts,
        lambda event_id: services.points_void_for_failed_verification(event_id=event_id),
    )
    counts["applied"] = _apply_all()
    return counts


def award_click_days(*, now: datetime, deadline: float | None = None) -> int:
    """Award yesterday's and today's click batches that have no points yet; returns how many were awarded."""
    rules = services.points_rules_current()
    due = click_awards.click_batches_due(
        since_day=local_date(now) - timedelta(days=1), cap=rules.click_cap_per_share_per_day, now=now
    )
    return len(
        click_awards.points_award_click_batches(batches=due, rules=rules, deadline=deadline, clock=time.monotonic)
    )


@contextmanager
def scan_exclusive():
    """Hold the scan lock for the block; yields False when another scan holds it.

    A session-level advisory lock on PostgreSQL (released with the connection if the worker
    dies); SQLite runs one writer at a time anyway.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [SCAN_LOCK_KEY])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [SCAN_LOCK_KEY])


def queue_standings_apply() -> None:
    """Apply the ledger to the standings once the current transaction commits."""
    transaction.on_commit(lambda: apply_standings.delay())


def _in_batches(select, act, batch: int = 1000) -> int:
    """Act on every id ``select()`` returns (``batch`` at a time) until a short batch says none are left."""
    done = 0
    while True:
        ids = select()
        for object_id in ids:
            act(object_id)
        done += len(ids)
        if len(ids) < batch:
            return done
