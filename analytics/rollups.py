"""Keeps ``ShareRollup`` current from the shares, their people and posts, and their latest metrics.

- ``rollups_refresh()`` (beat, every minute) re-reads the shares that may have changed since
  the last run, with a margin for clicks still being tallied: shares made (or newer than any
  rollup), clicked or pulled since then;
- ``rollups_refresh(full=True)`` (beat, hourly, and the first run) re-reads every share and
  drops rows whose share is gone. It also catches what the minute run cannot see: a click
  tallied more than ten minutes after it happened, rows written behind the services' back.

After the share rows, the per-post rows are recomputed from them (``post_rollups_refresh``):
``PostDayRollup`` (per day, post and network) and ``PostRollup`` (per post, all time), for the
posts of the shares just re-read, or for every post on a full run and whenever the per-post
share count no longer matches the share rows (a share deleted since).

Both are idempotent upserts keyed by share, deterministic for the same sources, and can be
killed halfway.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from advocacy.networks import networks_reporting
from metrics.models import ShareMetrics
from sharing.models import Click, Share

from .models import PostDayRollup, PostRollup, RollupState, ShareRollup

BATCH = 2000
# Clicks are tallied into Share.human_clicks shortly after they happen: the minute run looks
# this far behind its last run so a click tallied late is still read.
REFRESH_MARGIN = timedelta(minutes=10)
METRICS = ("likes", "reposts", "replies", "impressions")
_COLUMNS = (
    "pk",
    "created_at",
    "user_id",
    "post_id",
    "network",
    "human_clicks",
    *(f"metrics__{metric}" for metric in METRICS),
)


def rollup_rows(*, share_ids: list[int], now: datetime) -> list[ShareRollup]:
    """The rollup rows of these shares as the sources say now (one query)."""
    reporting = {metric: set(networks_reporting(metric)) for metric in METRICS}
    zone = timezone.get_default_timezone()
    rows = []
    for pk, created_at, user_id, post_id, network, clicks, *figures in Share.objects.filter(
        pk__in=share_ids
    ).values_list(*_COLUMNS):
        reported = {
            f"reported_{metric}": value if network in reporting[metric] else None
            for metric, value in zip(METRICS, figures, strict=True)
        }
        rows.append(
            ShareRollup(
                share_id=pk,
                day=timezone.localtime(created_at, zone).date(),
                user_id=user_id,
                post_id=post_id,
                network=network,
                human_clicks=clicks,
                refreshed_at=now,
                **reported,
            )
        )
    return rows


_UPDATED = [
    "day",
    "user",
    "post",
    "network",
    "human_clicks",
    *(f"reported_{metric}" for metric in METRICS),
    "refreshed_at",
]


def _store(share_ids: list[int], now: datetime) -> set[int]:
    """Upsert these shares' rows; returns the posts they belong to."""
    with transaction.atomic():
        rows = rollup_rows(share_ids=share_ids, now=now)
        ShareRollup.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["share"], update_fields=_UPDATED, batch_size=BATCH
        )
    return {row.post_id for row in rows}


def _insert_from(model, fields: list[str], rows) -> None:
    """INSERT INTO model's ``fields`` the grouped ``rows`` (a values().annotate() queryset selecting them in order)."""
    sql, params = rows.query.sql_with_params()
    names = ", ".join(model._meta.get_field(name).column for name in fields)
    with connection.cursor() as cursor:
        # The column list comes from the model; the SELECT and its parameters from the ORM.
        cursor.execute(f"INSERT INTO {model._meta.db_table} ({names}) {sql}", params)  # nosec B608


def post_rollups_refresh(*, post_ids: set[int] | None = None) -> None:
    """Recompute ``PostDayRollup`` and ``PostRollup`` of these posts (None: every post) from ``ShareRollup``.

    Delete and re-insert in one transaction, two grouped statements: the result depends only
    on the share rows, so it is the same however often and in whatever order it runs.
    """
    if post_ids is not None and not post_ids:
        return
    source = ShareRollup.objects.order_by()
    day_rows, totals = PostDayRollup.objects.all(), PostRollup.objects.all()
    if post_ids is not None:
        ids = sorted(post_ids)
        source, day_rows, totals = (
            source.filter(post_id__in=ids),
            day_rows.filter(post_id__in=ids),
            totals.filter(post_id__in=ids),
        )
    figures = {
        "share_count": Count("pk"),
        "human_click_count": Coalesce(Sum("human_clicks"), 0),
        **{f"{metric}_total": Sum(f"reported_{metric}") for metric in METRICS},
        "impressions_known_count": Count("reported_impressions"),
    }
    with transaction.atomic():
        day_rows._raw_delete(day_rows.db)
        totals._raw_delete(totals.db)
        _insert_from(
            PostDayRollup,
            ["day", "post", "network", *figures],
            source.values("day", "post_id", "network").annotate(**figures),
        )
        _insert_from(
            PostRollup,
            ["post", "share_count", "human_click_count"],
            source.values("post_id").annotate(
                share_count=figures["share_count"], human_click_count=figures["human_click_count"]
            ),
        )


def _post_rollups_complete() -> bool:
    """Whether the per-post rows count every share row (False once a share was deleted since)."""
    counted = PostRollup.objects.aggregate(shares=Coalesce(Sum("share_count"), 0))["shares"]
    return counted == ShareRollup.objects.count()


def _changed_since(since: datetime) -> list[int]:
    newest = ShareRollup.objects.aggregate(last=Max("share_id"))["last"] or 0
    made = Share.objects.filter(Q(created_at__gte=since) | Q(pk__gt=newest)).values_list("pk", flat=True)
    clicked = Click.objects.filter(occurred_at__gte=since).order_by().values_list("share_id", flat=True).distinct()
    pulled = ShareMetrics.objects.filter(last_pulled_at__gte=since).values_list("share_id", flat=True)
    return sorted(set(made) | set(clicked) | set(pulled))


def _rebuild_postgres(now: datetime) -> int:
    """The full rebuild as one set-based upsert (the same rows ``rollup_rows`` makes, share by share)."""
    reported = ", ".join(f"CASE WHEN s.network = ANY(%s) THEN m.{metric} END" for metric in METRICS)
    columns = ", ".join(f"reported_{metric}" for metric in METRICS)
    updates = ", ".join(
        f"{column} = EXCLUDED.{column}" for column in [*_COLUMN_NAMES, *(f"reported_{m}" for m in METRICS)]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            # Table names and fixed column lists only; every value is a parameter.
            f"INSERT INTO {ShareRollup._meta.db_table} (share_id, day, user_id, post_id, network, human_clicks, "  # noqa: S608  # nosec B608
            f"{columns}, refreshed_at) "
            f"SELECT s.id, (s.created_at AT TIME ZONE %s)::date, s.user_id, s.post_id, s.network, s.human_clicks, "
            f"{reported}, %s FROM {Share._meta.db_table} s "
            f"LEFT JOIN {ShareMetrics._meta.db_table} m ON m.share_id = s.id "
            f"ON CONFLICT (share_id) DO UPDATE SET {updates}",
            [timezone.get_default_timezone_name(), *(list(networks_reporting(metric)) for metric in METRICS), now],
        )
        return cursor.rowcount


_COLUMN_NAMES = ["day", "user_id", "post_id", "network", "human_clicks", "refreshed_at"]


def rollups_refresh(*, full: bool = False, now: datetime | None = None) -> int:
    """Bring ``ShareRollup`` up to date; returns how many shares were re-read."""
    now = now or timezone.now()
    state = RollupState.objects.first()
    full = full or state is None
    done = 0
    posts: set[int] | None = set()
    if full and connection.vendor == "postgresql":
        done = _rebuild_postgres(now)
    elif full:
        last = 0
        while True:
            ids = list(Share.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
            if not ids:
                break
            _store(ids, now)
            done += len(ids)
            last = ids[-1]
    else:
        # Before the new rows go in: a share row deleted since the last run leaves a post's count behind.
        if not _post_rollups_complete():
            posts = None
        ids = _changed_since(state.refreshed_at - REFRESH_MARGIN)
        for index in range(0, len(ids), BATCH):
            touched = _store(ids[index : index + BATCH], now)
            if posts is not None:
                posts |= touched
        done = len(ids)
    if full:  # rows whose share was deleted behind the ORM's back
        ShareRollup.objects.filter(~Exists(Share.objects.filter(pk=OuterRef("share_id")))).delete()
    post_rollups_refresh(post_ids=None if full else posts)
    if state is None:
        RollupState.objects.create(refreshed_at=now, rebuilt_at=now)
    else:
        RollupState.objects.filter(pk=state.pk).update(refreshed_at=now, **({"rebuilt_at": now} if full else {}))
    return done
