"""Points for human clicks, awarded set-based: a few statements per thousand (share, day) batches.

A share's clicks on one day (board time zone) earn points up to the daily cap. Clicks keep
arriving during the day, so a day is awarded in batches: the first is ``clicks:<share>:<day>``,
each later one ``clicks:<share>:<day>:from-<n>`` where n is how many clicks the earlier batches
covered. Two workers that saw the same earlier batches make the same key, and the ledger's
unique cause key (insert-or-ignore) lets only one of them award, so running twice never
double counts and every point stays traceable to its row.

The reads here (which batches are due) sit beside the write because they are one operation;
``selectors.click_days_awaiting_points`` and ``services.points_award_for_clicks`` use them.
"""

# SQL here is assembled from the model's table and column names; values are always parameters.
# ruff: noqa: S608

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import PendingPointEvent, PointEvent, PointsRules
from .periods import board_zone, day_bounds, local_date, month_start, quarter_start, week_start

Kind = PointEvent.Kind
# (share, day) batches per INSERT: 19 parameters a row stays well under SQLite's 32,766.
AWARD_CHUNK = 1000
# On PostgreSQL a chunk is one statement over column arrays (a few hundred kilobytes of text).
AWARD_CHUNK_POSTGRES = 5000


@dataclass(frozen=True)
class DueBatch:
    share_id: int
    day: date
    seen: int  # human clicks on the share that day so far
    last: datetime  # the latest of them
    covered: int  # clicks earlier batches of that day already awarded


def click_batches_due(
    *, since_day: date | None, cap: int, share_id: int | None = None, now: datetime | None = None
) -> list[DueBatch]:
    """(share, day) batches whose counted human clicks (up to ``cap``) exceed what earlier batches covered.

    Two grouped queries whatever the number of shares: the human clicks since ``since_day``
    per share and day, and what the ledger already covers per share and day. Both ranges are
    closed at the end of tomorrow, so the planner sees a narrow range and keeps to the indexes
    even on a table it has no statistics for (tests/leaderboard/test_plans.py).
    ``since_day`` None looks at every day (the demo seed and one-off awards).
    """
    from sharing.models import Click

    clicks = Click.objects.all()
    events = PointEvent.objects.filter(kind=Kind.CLICKS)
    if share_id is not None:
        clicks = clicks.filter(share_id=share_id)
        events = events.filter(share_ref=share_id)
    if since_day is not None:
        last_day = local_date(now or timezone.now()) + timedelta(days=1)
        clicks = clicks.filter(occurred_at__gte=day_bounds(since_day)[0], occurred_at__lt=day_bounds(last_day)[1])
        events = events.filter(day__gte=since_day, day__lte=last_day)
    covered = {
        (share, day): n
        for share, day, n in events.values("share_ref", "day")
        .annotate(n=Sum("quantity"))
        .values_list("share_ref", "day", "n")
    }
    # Human clicks are counted, not filtered on: "kind = human" in the WHERE tempts the planner
    # into reading the whole partial index of human clicks instead of the time range.
    human = Q(kind=Click.Kind.HUMAN)
    seen = (
        clicks.annotate(day=TruncDate("occurred_at", tzinfo=board_zone()))
        .values("share_id", "day")
        .annotate(n=Count("id", filter=human), last=Max("occurred_at", filter=human))
        .values_list("share_id", "day", "n", "last")
    )
    due = [
        DueBatch(share, day, n, last, covered.get((share, day), 0))
        for share, day, n, last in seen
        if n and min(n, cap) > covered.get((share, day), 0)
    ]
    return sorted(due, key=lambda batch: (batch.day, batch.share_id))


def points_award_click_batches(
    *, batches: list[DueBatch], rules: PointsRules, deadline: float | None = None, clock=None
) -> list[int]:
    """Award ``batches`` (from click_batches_due), AWARD_CHUNK at a time; returns the new event ids.

    Each chunk is one transaction of three statements (the shares, the ledger rows, their
    outbox rows). With a ``deadline`` (a ``clock()`` reading) no chunk starts after it: the
    rest wait for the next scan, so a task's time limit only ever has to cover one chunk.
    """
    awarded: list[int] = []
    postgres = connection.vendor == "postgresql"
    size = AWARD_CHUNK_POSTGRES if postgres else AWARD_CHUNK
    for start in range(0, len(batches), size):
        if deadline is not None and clock() >= deadline:
            break
        chunk = batches[start : start + size]
        awarded += _award_chunk_postgres(chunk, rules) if postgres else _award_chunk(chunk, rules)
    return awarded


@transaction.atomic
def _award_chunk_postgres(batches: list[DueBatch], rules: PointsRules) -> list[int]:
    """The chunk in one statement: the batches go in as column arrays, the shares' owners, teams,
    campaigns and titles are joined in, the ledger rows are inserted (a recorded cause key is
    skipped) and the rows really written are queued for the standings.

    Every figure and text is what ``_award_chunk`` makes (the SQLite path); a batch whose
    share was deleted since its clicks finds no share and awards nothing.
    """
    from advocacy.people.models import User
    from content_library.models import Post
    from sharing.models import Share

    cap = rules.click_cap_per_share_per_day
    columns = {
        "share_id": ("bigint", [batch.share_id for batch in batches]),
        "day": ("date", [batch.day for batch in batches]),
        "seen": ("int", [batch.seen for batch in batches]),
        "covered": ("int", [batch.covered for batch in batches]),
        "occurred_at": ("timestamptz", [max(batch.last, day_bounds(batch.day)[0]) for batch in batches]),
        "week": ("date", [week_start(batch.day) for batch in batches]),
        "month": ("date", [month_start(batch.day) for batch in batches]),
        "quarter": ("date", [quarter_start(batch.day) for batch in batches]),
    }
    quantity = "(least(b.seen, %(cap)s) - b.covered)"
    description = (
        f"left({quantity} || ' human click' || CASE WHEN {quantity} = 1 THEN '' ELSE 's' END || ' on “' "
        "|| p.title || '” on ' || to_char(b.day, 'DD Mon') "
        "|| CASE WHEN least(b.seen, %(cap)s) = %(cap)s THEN ' (daily cap reached)' ELSE '' END, 300)"
    )
    params = {name: _array_literal(values) for name, (_, values) in columns.items()}
    params |= {"cap": cap, "per_click": rules.human_click, "rules": rules.pk, "kind": Kind.CLICKS.value}
    source = ", ".join(f"%({name})s::{kind}[]" for name, (kind, _) in columns.items())
    with connection.cursor() as cursor:
        cursor.execute(
            # Table and column names from the models, every value a parameter.
            f"WITH b AS (SELECT * FROM unnest({source}) WITH ORDINALITY AS b({', '.join(columns)}, n)), "  # nosec B608
            f"written AS (INSERT INTO {PointEvent._meta.db_table} (cause_key, user_id, kind, points, quantity, "
            "rules_id, occurred_at, week, month, quarter, team_id_at_award, campaign_id_at_award, share_ref, day, "
            "description, reason, detail, created_at) "
            "SELECT 'clicks:' || b.share_id || ':' || to_char(b.day, 'YYYY-MM-DD') "
            "|| CASE WHEN b.covered > 0 THEN ':from-' || b.covered ELSE '' END, "
            f"s.user_id, %(kind)s, {quantity} * %(per_click)s, {quantity}, %(rules)s, b.occurred_at, "
            f"b.week, b.month, b.quarter, u.team_id, p.campaign_id, b.share_id, b.day, {description}, '', "
            "jsonb_build_object('clicks_seen', b.seen, 'cap', %(cap)s), now() "
            f"FROM b JOIN {Share._meta.db_table} s ON s.id = b.share_id "
            f"JOIN {User._meta.db_table} u ON u.id = s.user_id JOIN {Post._meta.db_table} p ON p.id = s.post_id "
            'ORDER BY b.n ON CONFLICT ("cause_key") DO NOTHING RETURNING "id"), '
            f"queued AS (INSERT INTO {PendingPointEvent._meta.db_table} (event_id) SELECT id FROM written) "
            "SELECT id FROM written",
            params,
        )
        return sorted(pk for (pk,) in cursor.fetchall())


@transaction.atomic
def _award_chunk(batches: list[DueBatch], rules: PointsRules) -> list[int]:
    from sharing.models import Share

    shares = {
        pk: (user_id, team_id, campaign_id, title)
        for pk, user_id, team_id, campaign_id, title in Share.objects.filter(
            pk__in={batch.share_id for batch in batches}
        ).values_list("pk", "user_id", "user__team_id", "post__campaign_id", "post__title")
    }
    cap = rules.click_cap_per_share_per_day
    now = timezone.now()
    rows = []
    for batch in batches:
        if batch.share_id not in shares:  # deleted since its clicks: nobody to credit
            continue
        user_id, team_id, campaign_id, title = shares[batch.share_id]
        counted = min(batch.seen, cap)
        quantity = counted - batch.covered
        capped = " (daily cap reached)" if counted == cap else ""
        plural = "s" if quantity != 1 else ""
        rows.append(
            {
                "cause_key": f"clicks:{batch.share_id}:{batch.day.isoformat()}"
                + (f":from-{batch.covered}" if batch.covered else ""),
                "user_id": user_id,
                "kind": Kind.CLICKS.value,
                "points": quantity * rules.human_click,
                "quantity": quantity,
                "rules_id": rules.pk,
                "occurred_at": max(batch.last, day_bounds(batch.day)[0]),
                # The batch's moment lies in its day, so its periods are the day's.
                "week": week_start(batch.day),
                "month": month_start(batch.day),
                "quarter": quarter_start(batch.day),
                "team_id_at_award": team_id,
                "campaign_id_at_award": campaign_id,
                "share_ref": batch.share_id,
                "day": batch.day,
                "description": f"{quantity} human click{plural} on “{title}” on {batch.day:%d %b}{capped}"[:300],
                "detail": {"clicks_seen": batch.seen, "cap": cap},
                "created_at": now,
            }
        )
    return ledger_insert_or_ignore(rows)


def ledger_insert_or_ignore(rows: list[dict]) -> list[int]:
    """Insert ledger rows (field attnames to values) and queue them for the standings; returns the new ids.

    A row whose cause key is already recorded is skipped, and only rows really written are
    queued: ``bulk_create(ignore_conflicts=True)`` cannot say which those are, ``ON CONFLICT
    … DO NOTHING RETURNING`` can. On PostgreSQL that is one statement over column arrays;
    on SQLite (3.35 and later) a multi-row insert and the queue rows after it.
    """
    if not rows:
        return []
    fields = [field for field in PointEvent._meta.concrete_fields if not field.primary_key]
    defaults = {field.attname: field.get_default() for field in fields}
    rows = [defaults | row for row in rows]
    table, columns = PointEvent._meta.db_table, ", ".join(connection.ops.quote_name(f.column) for f in fields)
    conflict = 'ON CONFLICT ("cause_key") DO NOTHING RETURNING "id"'
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
            cursor.execute(
                # Table and column names from the model, every value a parameter.
                f"WITH written AS (INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) {conflict}), "  # nosec B608
                f"queued AS (INSERT INTO {PendingPointEvent._meta.db_table} (event_id) SELECT id FROM written) "
                "SELECT id FROM written",
                [_array_literal([row[field.attname] for row in rows]) for field in fields],
            )
            return [pk for (pk,) in cursor.fetchall()]
        params = [field.get_db_prep_save(row[field.attname], connection=connection) for row in rows for field in fields]
        placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholders] * len(rows))} {conflict}",  # nosec B608
            params,
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    PendingPointEvent.objects.bulk_create([PendingPointEvent(event_id=pk) for pk in ids])
    return ids


def _array_literal(values: list) -> str:
    """A PostgreSQL array literal, one text parameter for a whole column (NULL for None, JSON for dicts)."""

    def text(value) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, date):  # and datetimes
            value = value.isoformat()
        elif isinstance(value, dict):
            value = json.dumps(value)
        elif isinstance(value, bool):
            value = "t" if value else "f"
        return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'

    return "{" + ",".join(text(value) for value in values) + "}"
