"""HR review flags computed by a worker and stored, so the review page reads a row per person.

The rules stay in ``leaderboard.anomalies`` (pure functions); this module loads the click
rows they read and keeps ``ReviewFlags`` current for the boards the standings keep (the
current and previous week, month and quarter, and all time):

- ``review_flags_refresh`` (beat, every minute) recomputes only the people with clicks
  recorded since its cursor, and the teammates of people who shared since its last run;
- ``review_flags_refresh(full=True)`` (beat, hourly, and the first time a board is seen)
  recomputes everyone with clicks in the board's window, which also catches what the
  incremental run cannot see: the 35-day window moving on, purged clicks, a share's sharer
  hash replaced by a reshare.

Both are idempotent (upserts keyed by person and board) and can be killed halfway.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from .anomalies import SPIKE_HISTORY_DAYS, ClickRow, FailedPost, Flag, failed_post_flags, flags_for
from .models import ReviewFlags, ReviewFlagsBoard
from .periods import Period, board_zone, day_bounds, live_window, period_end

# Flags look at most this far back (older clicks are only spike history).
FLAG_DAYS = 35
# People whose clicks are loaded together (one query per batch).
BATCH_USERS = 200
# Refused clicks too: "many browsers behind one address" reads the ones the tracker turned away.
FLAG_KINDS = ["human", "address", "duplicate"]


def flag_window(*, period: str, start, now: datetime) -> tuple[datetime, datetime]:
    """The instants whose clicks a board's flags are about: its period, at most the last 35 days."""
    since = max(day_bounds(start)[0], now - timedelta(days=FLAG_DAYS))
    until = day_bounds(period_end(period, start))[0] if period != Period.ALL else now + timedelta(days=1)
    return since, until


def click_flags_for_users(*, user_ids: list[int], since: datetime, until: datetime) -> dict[int, list[Flag]]:
    """The click anomaly flags of each person between ``since`` and ``until``, in two queries."""
    return click_flags_for_windows(user_ids=user_ids, windows=[(since, until)])[(since, until)]


Window = tuple[datetime, datetime]


def click_flags_for_windows(*, user_ids: list[int], windows: list[Window]) -> dict[Window, dict[int, list[Flag]]]:
    """The click flags of each person for each (since, until) window; two queries whatever the windows."""
    from sharing.models import Click, Share

    result: dict[Window, dict[int, list[Flag]]] = {window: {} for window in windows}
    open_windows = [(since, until) for since, until in windows if since < until]
    if not user_ids or not open_windows:
        return result | {window: {user_id: [] for user_id in user_ids} for window in windows}
    earliest = min(since for since, _ in open_windows)
    latest = max(until for _, until in open_windows)
    rows = Click.objects.filter(
        share__user_id__in=user_ids,
        kind__in=FLAG_KINDS,
        occurred_at__gte=earliest - timedelta(days=SPIKE_HISTORY_DAYS),
        occurred_at__lt=latest,
    ).values_list(
        "share__user_id",
        "share__user__team_id",
        "share_id",
        "occurred_at",
        "visitor_hash",
        "share__created_at",
        "address_hash",
        "kind",
    )
    clicks: dict[int, list[ClickRow]] = {user_id: [] for user_id in user_ids}
    teams: dict[int, int | None] = {}
    for user_id, team_id, share_id, occurred_at, visitor_hash, created_at, address_hash, kind in rows.order_by():
        clicks[user_id].append(ClickRow(share_id, occurred_at, visitor_hash, created_at, address_hash, kind))
        teams[user_id] = team_id
    # (sharer, hash, last shared) per team: who counts as "a teammate who shared" depends on the window.
    sharers: dict[int, list[tuple[int, str, datetime]]] = {}
    team_ids = {team_id for team_id in teams.values() if team_id is not None}
    if team_ids:
        for team_id, sharer_id, visitor_hash, last_shared_at in (
            Share.objects.filter(user__team_id__in=team_ids, last_shared_at__gte=earliest - timedelta(days=1))
            .exclude(sharer_visitor_hash="")
            .order_by()
            .values_list("user__team_id", "user_id", "sharer_visitor_hash", "last_shared_at")
        ):
            sharers.setdefault(team_id, []).append((sharer_id, visitor_hash, last_shared_at))
    zone = board_zone()

    def day_of(moment: datetime):  # periods.local_date without looking the zone up per click
        return moment.astimezone(zone).date()

    for since, until in windows:
        found = result[(since, until)]
        history_from, shared_from = since - timedelta(days=SPIKE_HISTORY_DAYS), since - timedelta(days=1)
        for user_id in user_ids:
            if since >= until:
                found[user_id] = []
                continue
            mine = [click for click in clicks[user_id] if history_from <= click.occurred_at < until]
            mates = {
                visitor_hash
                for sharer_id, visitor_hash, last_shared_at in sharers.get(teams.get(user_id), ())
                if sharer_id != user_id and last_shared_at >= shared_from
            }
            found[user_id] = flags_for(clicks=mine, teammate_hashes=mates, since=since, day_of=day_of)
    return result


def failed_post_flags_for_users(*, user_ids: list[int]) -> dict[int, list[Flag]]:
    """Flags of pasted posts that failed verification, per person (one query; read live, never stored)."""
    from sharing.models import Share, Verification

    failed: dict[int, list[FailedPost]] = {user_id: [] for user_id in user_ids}
    for user_id, share_id, network, state, detail in Share.objects.filter(
        user_id__in=user_ids, published_verification__in=Verification.failed()
    ).values_list("user_id", "pk", "network", "published_verification", "published_verification_detail"):
        failed[user_id].append(FailedPost(share_id, network, state, detail))
    return {user_id: failed_post_flags(posts) for user_id, posts in failed.items()}


def stored_click_flags(*, user_ids: list[int], period: str, start) -> dict[int, list[Flag]] | None:
    """The stored click flags of these people on a board (two queries), or None when the worker has not computed it."""
    if not ReviewFlagsBoard.objects.filter(period=period, period_start=start).exists():
        return None
    rows = ReviewFlags.objects.filter(period=period, period_start=start, user_id__in=user_ids)
    return {user_id: [Flag(**flag) for flag in flags] for user_id, flags in rows.values_list("user_id", "flags")}


# --- The worker's side -------------------------------------------------------------------------


def _users_with_clicks(*, since: datetime, until: datetime) -> list[int]:
    from sharing.models import Click

    return sorted(
        Click.objects.filter(kind__in=FLAG_KINDS, occurred_at__gte=since, occurred_at__lt=until)
        .order_by()  # Click's default ordering would make DISTINCT per click, not per person
        .values_list("share__user_id", flat=True)
        .distinct()
    )


def _users_touched(*, state: ReviewFlagsBoard, cursor: int, since: datetime, until: datetime) -> list[int]:
    """People whose flags may have changed since the last run: new clicks, or a teammate who just shared."""
    from sharing.models import Click, Share

    touched = set(
        Click.objects.filter(
            pk__gt=state.click_cursor,
            pk__lte=cursor,
            kind__in=FLAG_KINDS,
            occurred_at__gte=since - timedelta(days=SPIKE_HISTORY_DAYS),
            occurred_at__lt=until,
        )
        .order_by()  # Click's default ordering would make DISTINCT per click, not per person
        .values_list("share__user_id", flat=True)
        .distinct()
    )
    # A share made since the last run adds its sharer's hash to what counts as "a teammate".
    sharers = list(
        Share.objects.filter(last_shared_at__gte=state.computed_at - timedelta(minutes=1), user__team__isnull=False)
        .exclude(sharer_visitor_hash="")
        .values_list("user__team_id", "sharer_visitor_hash")
    )
    if sharers:
        touched |= set(
            Click.objects.filter(
                visitor_hash__in={visitor_hash for _, visitor_hash in sharers},
                share__user__team_id__in={team_id for team_id, _ in sharers},
                kind__in=FLAG_KINDS,
                occurred_at__gte=since,
                occurred_at__lt=until,
            )
            .order_by()
            .values_list("share__user_id", flat=True)
            .distinct()
        )
    return sorted(touched)


def _store(*, boards: list[tuple[str, object]], flags: dict[int, list[Flag]], now: datetime) -> None:
    with transaction.atomic():
        for period, start in boards:
            empty = [user_id for user_id, found in flags.items() if not found]
            ReviewFlags.objects.filter(period=period, period_start=start, user_id__in=empty).delete()
            ReviewFlags.objects.bulk_create(
                [
                    ReviewFlags(
                        user_id=user_id,
                        period=period,
                        period_start=start,
                        flags=[asdict(flag) for flag in found],
                        computed_at=now,
                    )
                    for user_id, found in flags.items()
                    if found
                ],
                update_conflicts=True,
                unique_fields=["period", "period_start", "user"],
                update_fields=["flags", "computed_at"],
            )


def review_flags_refresh(*, now: datetime | None = None, full: bool = False) -> int:
    """Bring the stored flags of every kept board up to date; returns how many people were recomputed.

    Each person's clicks are loaded once for all the boards; boards whose windows hold the
    same clicks (all time and a quarter clamped to the last 35 days) are computed once.
    """
    from sharing.models import Click

    now = now or timezone.now()
    boards = [(period, start) for period, starts in live_window(now).starts.items() for start in starts]
    kept = Q()
    for period, start in boards:
        kept |= Q(period=period, period_start=start)
    ReviewFlags.objects.exclude(kept).delete()
    ReviewFlagsBoard.objects.exclude(kept).delete()
    cursor = Click.objects.aggregate(last=Max("pk"))["last"] or 0
    states = {(state.period, state.period_start): state for state in ReviewFlagsBoard.objects.filter(kept)}
    windows: dict[tuple[datetime, datetime], list[tuple[str, object]]] = {}
    for period, start in boards:
        since, until = flag_window(period=period, start=start, now=now)
        windows.setdefault((since, min(until, now + timedelta(days=1))), []).append((period, start))
    rebuild = full or any(board not in states for board in boards)
    open_windows = [(since, until) for since, until in windows if since < until]
    if not open_windows:
        users = []
    elif rebuild:
        users = _users_with_clicks(
            since=min(since for since, _ in open_windows), until=max(until for _, until in open_windows)
        )
    else:
        oldest = min(states.values(), key=lambda state: state.click_cursor)
        users = _users_touched(
            state=oldest,
            cursor=cursor,
            since=min(since for since, _ in open_windows),
            until=max(until for _, until in open_windows),
        )
    computed = 0
    for index in range(0, len(users), BATCH_USERS):
        batch = users[index : index + BATCH_USERS]
        for window, flags in click_flags_for_windows(user_ids=batch, windows=list(windows)).items():
            _store(boards=windows[window], flags=flags, now=now)
        computed += len(batch)
    for period, start in boards:
        if rebuild:  # whoever was not recomputed has no clicks in the window any more
            ReviewFlags.objects.filter(period=period, period_start=start, computed_at__lt=now).delete()
        ReviewFlagsBoard.objects.update_or_create(
            period=period,
            period_start=start,
            defaults={"click_cursor": cursor, "computed_at": now} | ({"rebuilt_at": now} if rebuild else {}),
            create_defaults={"click_cursor": cursor, "computed_at": now, "rebuilt_at": now},
        )
    return computed
