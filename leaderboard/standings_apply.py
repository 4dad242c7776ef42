"""The incremental apply: new ledger events added to the standings as they come.

The cost depends on the batch, never on the size of the ledger. See standings.py for the
boards kept and the tie rule; standings_rebuild.py recreates them all from scratch.
"""

# SQL here is assembled from model table names and fixed column lists; values are always parameters.
# (bandit has no file-wide switch, hence the B608 markers on those lines.)
# ruff: noqa: S608

from collections import defaultdict
from contextlib import contextmanager
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import Q

from advocacy.people.models import User

from .models import PendingPointEvent, PointEvent, Standing, StandingCount, TeamStanding
from .periods import Period, live_window
from .standings import Scope, lock, refresh_team_members, unranked_users_q

# Events per transaction. Larger batches write each standing they share once instead of once
# per batch (a person's all-time rows are in every batch they have events in); 25,000 click
# awards apply in well under a minute on a loaded two-core machine, inside the soft limit.
APPLY_BATCH = 25_000


def _claim_pending(limit: int) -> list[int]:
    table = PendingPointEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"DELETE FROM {table} WHERE event_id IN "  # nosec B608
                f"(SELECT event_id FROM {table} ORDER BY event_id LIMIT %s FOR UPDATE SKIP LOCKED) "
                "RETURNING event_id",
                [limit],
            )
            return [row[0] for row in cursor.fetchall()]
    ids = list(PendingPointEvent.objects.order_by("event_id").values_list("event_id", flat=True)[:limit])
    PendingPointEvent.objects.filter(event_id__in=ids).delete()
    return ids


@transaction.atomic
def standings_apply_pending(*, limit: int = APPLY_BATCH, now: datetime | None = None) -> int:
    """Apply up to ``limit`` new ledger events to the standings; returns how many were applied.

    The events are claimed by deleting their outbox rows in this transaction, so a
    crash applies nothing and a second worker skips them: each event counts once.
    The cost depends on the batch, not on the size of the ledger.
    """
    lock()
    ids = _claim_pending(limit)
    if not ids:
        return 0
    events = PointEvent.objects.filter(pk__in=ids).values_list(
        "user_id", "points", "occurred_at", "week", "month", "quarter", "team_id_at_award", "campaign_id_at_award"
    )
    window = live_window(now)
    people: dict[tuple, list] = defaultdict(lambda: [0, 0, None])
    teams: dict[tuple, int] = defaultdict(int)
    for user_id, points, occurred_at, week, month, quarter, team_id, campaign_id in events:
        starts = {Period.WEEK: week, Period.MONTH: month, Period.QUARTER: quarter, Period.ALL: window.starts["all"][0]}
        for period, start in starts.items():
            if not window.contains(period, start):
                continue
            scopes = [(Scope.EVERYONE, 0)]
            if team_id is not None:
                scopes.append((Scope.TEAM, team_id))
            if campaign_id is not None:
                scopes.append((Scope.CAMPAIGN, campaign_id))
            for scope, scope_id in scopes:
                row = people[(period, start, scope, scope_id, user_id)]
                row[0] += points
                row[1] += 1
                row[2] = occurred_at if row[2] is None else max(row[2], occurred_at)
            if team_id is not None:
                teams[(period, start, Scope.EVERYONE, 0, team_id)] += points
                if campaign_id is not None:
                    teams[(period, start, Scope.CAMPAIGN, campaign_id, team_id)] += points
    unranked = set(
        User.objects.filter(unranked_users_q(), pk__in={key[4] for key in people}).values_list("pk", flat=True)
    )
    rows = [(*key, *values, key[4] in unranked) for key, values in people.items()]
    old = _add_to_people(rows)
    # Move each person between the per-points counts: out of their old total, into the new one.
    counts: dict[tuple, int] = defaultdict(int)
    for row in rows:
        key, delta, now_unranked = row[:5], row[5], row[8]
        before = old.get(key)
        if before is not None and not before[1]:
            counts[(*key[:4], before[0])] -= 1
        if not now_unranked:
            counts[(*key[:4], delta + (before[0] if before else 0))] += 1
    _add_to_counts([(*key, n) for key, n in counts.items() if n])
    _add_to_teams([(*key, points) for key, points in teams.items()])
    refresh_team_members({key[4] for key in teams})
    return len(ids)


def _chunks(rows: list, size: int = 500):
    for index in range(0, len(rows), size):
        yield rows[index : index + size]


def _array_literal(values) -> str:
    """One PostgreSQL array literal ('{1,2}', '{"a","b"}') for a column of values.

    Sent as a single text parameter: psycopg2 would spell a list as ARRAY[...] with one
    expression per element, which the server parses and plans far more slowly for the
    hundred thousand elements of a large batch.
    """
    values = list(values)
    sample = next((value for value in values if value is not None), None)
    if isinstance(sample, bool):
        text = ("NULL" if value is None else "t" if value else "f" for value in values)
    elif isinstance(sample, int):
        text = ("NULL" if value is None else str(value) for value in values)
    elif isinstance(sample, date):  # dates and datetimes: ISO text has no character arrays treat specially
        text = ("NULL" if value is None else value.isoformat() for value in values)
    else:
        text = (
            "NULL" if value is None else '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
            for value in values
        )
    return "{" + ",".join(text) + "}"


def _unnest(rows: list[tuple], types: tuple[str, ...], names: tuple[str, ...]) -> tuple[str, list[str]]:
    """``unnest(…) AS alias(names)`` over rows, one array parameter per column."""
    arrays = ", ".join(f"%s::{kind}[]" for kind in types)
    return f"unnest({arrays}) AS u({', '.join(names)})", [_array_literal(column) for column in zip(*rows)]


_PEOPLE_COLUMNS = (
    "period",
    "period_start",
    "scope",
    "scope_id",
    "user_id",
    "points",
    "events",
    "reached_at",
    "unranked",
)
_PEOPLE_TYPES = ("varchar", "date", "varchar", "bigint", "bigint", "int", "int", "timestamptz", "bool")


_BATCH_PLAN = {"enable_hashjoin": "off", "enable_mergejoin": "off", "jit": "off"}


@contextmanager
def _index_lookups_only(cursor):
    """Plan for a batch that touches a sliver of a large table (JIT compiling would cost more than it saves)."""
    for name, value in _BATCH_PLAN.items():
        cursor.execute(f"SET LOCAL {name} = {value}")
    try:
        yield
    finally:
        for name in _BATCH_PLAN:
            cursor.execute(f"SET LOCAL {name} TO DEFAULT")


def _add_to_people(rows: list[tuple]) -> dict[tuple, tuple[int, bool]]:
    """Add each row's points, events and latest time to its standing (creating it if new).

    Returns the (points, unranked) the existing standings had before, by key.
    """
    if connection.vendor != "postgresql":
        old = _existing([row[:5] for row in rows])
        _upsert_people_portable(rows)
        return old
    table = Standing._meta.db_table
    keys = ", ".join(_PEOPLE_COLUMNS[:5])
    source, params = _unnest(rows, _PEOPLE_TYPES, _PEOPLE_COLUMNS)
    # One statement: each key is looked up once; existing rows get a joined UPDATE by id
    # (cheaper than a conflicting insert), new ones an INSERT, and the old values come back.
    # A batch touches a sliver of the table: index lookups, never a hash of every standing
    # (which the planner picks for a large batch, and which grows with the history).
    with connection.cursor() as cursor, _index_lookups_only(cursor):
        cursor.execute(
            f"WITH old AS MATERIALIZED (SELECT s.id, s.points AS old_points, s.unranked AS old_unranked, u.* "  # nosec B608
            f"FROM {source} LEFT JOIN {table} s USING ({keys})), "
            f"changed AS (UPDATE {table} s SET points = s.points + o.points, events = s.events + o.events, "
            "reached_at = GREATEST(s.reached_at, o.reached_at), unranked = o.unranked "
            "FROM old o WHERE o.id IS NOT NULL AND s.id = o.id), "
            f"added AS (INSERT INTO {table} ({', '.join(_PEOPLE_COLUMNS)}) "
            f"SELECT {', '.join(_PEOPLE_COLUMNS)} FROM old WHERE id IS NULL) "
            f"SELECT {keys}, old_points, old_unranked FROM old WHERE id IS NOT NULL",
            params,
        )
        return {tuple(row[:5]): (row[5], row[6]) for row in cursor.fetchall()}


def _upsert_people_portable(rows: list[tuple]) -> None:
    table = Standing._meta.db_table
    ops = connection.ops
    with connection.cursor() as cursor:
        for chunk in _chunks(rows):
            params = []
            for period, start, scope, scope_id, user_id, points, count, reached_at, unranked in chunk:
                params += [
                    period,
                    ops.adapt_datefield_value(start),
                    scope,
                    scope_id,
                    user_id,
                    points,
                    count,
                    ops.adapt_datetimefield_value(reached_at),
                    unranked,
                ]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(_PEOPLE_COLUMNS)}) VALUES {values} "  # nosec B608
                "ON CONFLICT (period, period_start, scope, scope_id, user_id) DO UPDATE SET "
                f"points = {table}.points + EXCLUDED.points, events = {table}.events + EXCLUDED.events, "
                f"reached_at = MAX({table}.reached_at, EXCLUDED.reached_at), unranked = EXCLUDED.unranked",
                params,
            )


def _existing(keys: list[tuple]) -> dict[tuple, tuple[int, bool]]:
    """Current (points, unranked) of the given (period, start, scope, scope_id, user) standings."""
    found: dict[tuple, tuple[int, bool]] = {}
    for chunk in _chunks(keys, 100):
        q = Q()
        for period, start, scope, scope_id, user_id in chunk:
            q |= Q(period=period, period_start=start, scope=scope, scope_id=scope_id, user_id=user_id)
        rows = Standing.objects.filter(q).values_list(
            "period", "period_start", "scope", "scope_id", "user_id", "points", "unranked"
        )
        for period, start, scope, scope_id, user_id, points, unranked in rows:
            found[(period, start, scope, scope_id, user_id)] = (points, unranked)
    return found


def _add_rows(
    model, rows: list[tuple], *, columns: tuple[str, ...], types: tuple[str, ...], zeroed: tuple[str, ...] = ()
) -> None:
    """Insert rows whose last column is an amount, adding it to the row already there for the same key.

    ``zeroed`` columns start at 0 in new rows (filled in by a later step).
    """
    table = model._meta.db_table
    keys, amount = ", ".join(columns[:-1]), columns[-1]
    extra_columns = "".join(f", {name}" for name in zeroed)
    extra_values = ", 0" * len(zeroed)
    conflict = f"ON CONFLICT ({keys}) DO UPDATE SET {amount} = {table}.{amount} + EXCLUDED.{amount}"  # nosec B608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if rows:
                source, params = _unnest(rows, types, columns)
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join(columns)}{extra_columns}) "  # nosec B608
                    f"SELECT {', '.join(columns)}{extra_values} FROM {source} {conflict}",
                    params,
                )
            return
        ops = connection.ops
        for chunk in _chunks(rows):
            params = []
            for row in chunk:
                params += [ops.adapt_datefield_value(value) if isinstance(value, date) else value for value in row]
            placeholders = "(" + ", ".join(["%s"] * len(columns)) + extra_values + ")"
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}{extra_columns}) "  # nosec B608
                f"VALUES {', '.join([placeholders] * len(chunk))} {conflict}",
                params,
            )


def _add_to_counts(rows: list[tuple]) -> None:
    _add_rows(
        StandingCount,
        rows,
        columns=("period", "period_start", "scope", "scope_id", "points", "ranked"),
        types=("varchar", "date", "varchar", "bigint", "int", "int"),
    )
    # Nobody has those points any more: the row goes, as a rebuild would never write it.
    StandingCount.objects.filter(ranked=0).delete()


def _add_to_teams(rows: list[tuple]) -> None:
    _add_rows(
        TeamStanding,
        rows,
        columns=("period", "period_start", "scope", "scope_id", "team_id", "points"),
        types=("varchar", "date", "varchar", "bigint", "bigint", "int"),
        zeroed=("members", "average"),
    )
