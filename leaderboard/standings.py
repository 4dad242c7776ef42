"""Writes for the precomputed standings: the incremental apply and the full rebuild.

Boards kept: the current and the previous week, month and quarter, and all
time; each for everyone, per team (the members' own events) and per campaign,
plus team-against-team boards for everyone and per campaign.

Order on a board (the documented tie rule): more points first; on equal
points, whoever reached the total first (earlier ``reached_at``, the time of
their latest event on the board); then the lower user id. Every input is a
fact of the ledger, so the same ledger in any order gives the same standings.
"""

# SQL here is assembled from model table names and fixed column lists; values are always parameters.
# (bandit has no file-wide switch, hence the B608 markers on those lines.)
# ruff: noqa: S608

from collections import defaultdict
from contextlib import contextmanager
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from advocacy.people.models import Team, User
from advocacy.people.roles import Role

from .models import ALL_TIME_START, PendingPointEvent, PointEvent, PointsRules, Standing, StandingCount, TeamStanding
from .periods import Period, live_window

Scope = Standing.Scope
PERIOD_COLUMNS = {Period.WEEK: "week", Period.MONTH: "month", Period.QUARTER: "quarter"}
# Serialises the apply and the rebuild on PostgreSQL (an arbitrary constant: "LBD" + 1).
LOCK_KEY = 0x4C424401
APPLY_BATCH = 10_000
ALL_TIME_START_SQL = ALL_TIME_START.isoformat()


def _rules_visibility() -> tuple[str, bool]:
    rules = PointsRules.objects.order_by("-version").values_list("hidden_display", "exclude_staff").first()
    return rules or (PointsRules.HiddenDisplay.ANONYMOUS, True)


def unranked_users_q() -> Q:
    """People left out of the rankings: deactivated, staff (by default), and hidden people when omitted."""
    hidden_display, exclude_staff = _rules_visibility()
    q = Q(is_active=False)
    if exclude_staff:
        q |= Q(groups__name__in=[Role.COMMS_ADMIN.value, Role.HR.value])
    if hidden_display == PointsRules.HiddenDisplay.OMIT:
        q |= Q(hide_from_leaderboards=True)
    return q


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


# --- Incremental ------------------------------------------------------------------------------


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
    _lock()
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
    _refresh_team_members({key[4] for key in teams})
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


def _recount() -> None:
    """Recreate the per-points counts from the standings (after a rebuild)."""
    counts, standings = StandingCount._meta.db_table, Standing._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {counts}")  # nosec B608
        cursor.execute(
            f"INSERT INTO {counts} (period, period_start, scope, scope_id, points, ranked) "  # nosec B608
            f"SELECT period, period_start, scope, scope_id, points, COUNT(*) FROM {standings} "
            "WHERE NOT unranked GROUP BY period, period_start, scope, scope_id, points"
        )


def _refresh_team_members(team_ids: set[int] | None) -> None:
    """Members are the team's active people; the average divides by at least one."""
    teams = Team.objects.all() if team_ids is None else Team.objects.filter(pk__in=team_ids)
    counts = dict(teams.annotate(n=Count("members", filter=Q(members__is_active=True))).values_list("pk", "n"))
    table = TeamStanding._meta.db_table
    with connection.cursor() as cursor:
        for team_id, members in counts.items():
            cursor.execute(
                f"UPDATE {table} SET members = %s, average = points * 1.0 / %s WHERE team_id = %s",  # nosec B608
                [members, max(members, 1), team_id],
            )


# --- Full rebuild -----------------------------------------------------------------------------


def _rebuild_statements(window) -> tuple[str, list, str, list]:
    """The INSERT … SELECT … GROUP BY statements that recreate both standings tables."""
    event = PointEvent._meta.db_table
    ops = connection.ops
    people_parts, people_params, team_parts, team_params = [], [], [], []
    for period in (Period.WEEK, Period.MONTH, Period.QUARTER, Period.ALL):
        if period == Period.ALL:
            start_sql, where, where_params = "%s", "1 = 1", []
            start_params = [ops.adapt_datefield_value(window.starts[period][0])]
        else:
            column = PERIOD_COLUMNS[period]
            starts = [ops.adapt_datefield_value(start) for start in window.starts[period]]
            start_sql, start_params = column, []
            where, where_params = f"{column} IN ({', '.join(['%s'] * len(starts))})", starts
        group = "" if period == Period.ALL else f"{start_sql}, "
        for scope, scope_sql, scope_filter in (
            (Scope.EVERYONE, "0", ""),
            (Scope.TEAM, "team_id_at_award", " AND team_id_at_award IS NOT NULL"),
            (Scope.CAMPAIGN, "campaign_id_at_award", " AND campaign_id_at_award IS NOT NULL"),
        ):
            scope_group = "" if scope == Scope.EVERYONE else f"{scope_sql}, "
            people_parts.append(
                f"SELECT %s, {start_sql}, %s, {scope_sql}, user_id, SUM(points), COUNT(*), MAX(occurred_at), %s "  # nosec B608
                f"FROM {event} WHERE {where}{scope_filter} GROUP BY {group}{scope_group}user_id"
            )
            people_params += [period, *start_params, scope, False, *where_params]
        for scope, scope_sql, scope_filter in (
            (Scope.EVERYONE, "0", ""),
            (Scope.CAMPAIGN, "campaign_id_at_award", " AND campaign_id_at_award IS NOT NULL"),
        ):
            scope_group = "" if scope == Scope.EVERYONE else f"{scope_sql}, "
            team_parts.append(
                f"SELECT %s, {start_sql}, %s, {scope_sql}, team_id_at_award, SUM(points), 0, 0 "  # nosec B608
                f"FROM {event} WHERE {where} AND team_id_at_award IS NOT NULL{scope_filter} "
                f"GROUP BY {group}{scope_group}team_id_at_award"
            )
            team_params += [period, *start_params, scope, *where_params]
    people_sql = (
        f"INSERT INTO {Standing._meta.db_table} (period, period_start, scope, scope_id, user_id, points, events, "
        f"reached_at, unranked) {' UNION ALL '.join(people_parts)}"
    )
    team_sql = (
        f"INSERT INTO {TeamStanding._meta.db_table} (period, period_start, scope, scope_id, team_id, points, "
        f"members, average) {' UNION ALL '.join(team_parts)}"
    )
    return people_sql, people_params, team_sql, team_params


# PostgreSQL computes every board in one pass over the ledger with GROUPING SETS. Events
# outside the kept periods get a NULL period key, and those groups are dropped.
_SET_COLUMNS = ("wk", "mo", "qu", "team", "campaign", "user_id")
_PEOPLE_SETS = {
    (Period.WEEK, Scope.EVERYONE): ("wk", "user_id"),
    (Period.WEEK, Scope.TEAM): ("wk", "team", "user_id"),
    (Period.WEEK, Scope.CAMPAIGN): ("wk", "campaign", "user_id"),
    (Period.MONTH, Scope.EVERYONE): ("mo", "user_id"),
    (Period.MONTH, Scope.TEAM): ("mo", "team", "user_id"),
    (Period.MONTH, Scope.CAMPAIGN): ("mo", "campaign", "user_id"),
    (Period.QUARTER, Scope.EVERYONE): ("qu", "user_id"),
    (Period.QUARTER, Scope.TEAM): ("qu", "team", "user_id"),
    (Period.QUARTER, Scope.CAMPAIGN): ("qu", "campaign", "user_id"),
    (Period.ALL, Scope.EVERYONE): ("user_id",),
    (Period.ALL, Scope.TEAM): ("team", "user_id"),
    (Period.ALL, Scope.CAMPAIGN): ("campaign", "user_id"),
}
_TEAM_SETS = {
    (Period.WEEK, Scope.EVERYONE): ("wk", "team"),
    (Period.WEEK, Scope.CAMPAIGN): ("wk", "campaign", "team"),
    (Period.MONTH, Scope.EVERYONE): ("mo", "team"),
    (Period.MONTH, Scope.CAMPAIGN): ("mo", "campaign", "team"),
    (Period.QUARTER, Scope.EVERYONE): ("qu", "team"),
    (Period.QUARTER, Scope.CAMPAIGN): ("qu", "campaign", "team"),
    (Period.ALL, Scope.EVERYONE): ("team",),
    (Period.ALL, Scope.CAMPAIGN): ("campaign", "team"),
}


def _mask(columns: tuple[str, ...]) -> int:
    """What GROUPING(wk, mo, qu, team, campaign, user_id) answers for a set: a 1 bit per column not grouped."""
    return sum(1 << (len(_SET_COLUMNS) - 1 - i) for i, name in enumerate(_SET_COLUMNS) if name not in columns)


def grouping_sets_aggregate(window) -> tuple[str, list]:
    """One SELECT … GROUP BY GROUPING SETS giving every kept board's totals (PostgreSQL).

    Columns: g (the set's mask), start, scope_id, team, user_id, points, events, reached_at.
    The benchmark times this very query as the hand-written GROUP BY it compares the rebuild with.
    """
    event = PointEvent._meta.db_table
    ops = connection.ops
    params: list = []
    keys = []
    for column, period in (("week", Period.WEEK), ("month", Period.MONTH), ("quarter", Period.QUARTER)):
        starts = [ops.adapt_datefield_value(start) for start in window.starts[period]]
        keys.append(f"CASE WHEN {column} IN ({', '.join(['%s'] * len(starts))}) THEN {column} END")
        params += starts
    sets = ", ".join(f"({', '.join(columns)})" for columns in [*_PEOPLE_SETS.values(), *_TEAM_SETS.values()])
    sql = (
        f"SELECT GROUPING(wk, mo, qu, team, campaign, user_id) AS g, COALESCE(wk, mo, qu) AS start, "  # nosec B608
        f"team, campaign, user_id, SUM(points) AS points, COUNT(*) AS events, MAX(occurred_at) AS reached_at "
        f"FROM (SELECT {keys[0]} AS wk, {keys[1]} AS mo, {keys[2]} AS qu, team_id_at_award AS team, "
        f"campaign_id_at_award AS campaign, user_id, points, occurred_at FROM {event}) e "
        f"GROUP BY GROUPING SETS ({sets})"
    )
    return sql, params


def _case(index: int) -> str:
    pairs = [*_PEOPLE_SETS.items(), *_TEAM_SETS.items()]
    whens = " ".join(f"WHEN {_mask(columns)} THEN '{key[index]}'" for key, columns in pairs)
    return f"CASE g {whens} END"


_KEYS = ("period", "period_start", "scope", "scope_id")


def _same(left: str, right: str, last: str) -> str:
    return " AND ".join(f"{left}.{column} = {right}.{column}" for column in (*_KEYS, last))


def _rebuild_postgres(window) -> int:
    """Compute every board in one pass, then write only the rows that differ; returns how many.

    Rows that did not change are not touched, so readers are never blocked and a
    rebuild of an unchanged ledger writes nothing (idempotent in effect as well as in result).
    """
    aggregate_sql, params = grouping_sets_aggregate(window)
    unranked_sql, unranked_params = User.objects.filter(unranked_users_q()).values("pk").query.sql_with_params()
    people_masks = ", ".join(str(_mask(columns)) for columns in _PEOPLE_SETS.values())
    team_masks = ", ".join(str(_mask(columns)) for columns in _TEAM_SETS.values())
    start = f"COALESCE(start, DATE '{ALL_TIME_START_SQL}')"
    labelled = f"SELECT {_case(0)} AS period, {_case(1)} AS scope, * FROM agg"  # nosec B608
    people_kept = (
        "(period = 'all' OR start IS NOT NULL) AND (scope = 'everyone' OR (scope = 'team' AND team IS NOT NULL) "
        "OR (scope = 'campaign' AND campaign IS NOT NULL))"
    )
    team_kept = "(period = 'all' OR start IS NOT NULL) AND (scope = 'everyone' OR campaign IS NOT NULL)"
    standing, team_standing = Standing._meta.db_table, TeamStanding._meta.db_table
    # One statement: one pass over the ledger, held in memory (a materialized CTE), joined
    # with each standings table to find rows that are gone, changed or new; only those are written.
    fresh = (
        f"SELECT period, {start} AS period_start, scope, "  # nosec B608
        "CASE scope WHEN 'team' THEN team WHEN 'campaign' THEN campaign ELSE 0 END AS scope_id, "
        f"user_id, team AS team_id, points, events, reached_at, user_id IN ({unranked_sql}) AS unranked, "
        f"g IN ({team_masks}) AS for_teams FROM labelled "
        f"WHERE (g IN ({people_masks}) AND {people_kept}) "
        f"OR (g IN ({team_masks}) AND team IS NOT NULL AND {team_kept})"
    )
    parts = [
        f"agg AS ({aggregate_sql})",
        f"labelled AS ({labelled})",
        f"fresh AS MATERIALIZED ({fresh})",
    ]
    counted = []
    for name, table, who, values, for_teams in (
        ("p", standing, "user_id", ("points", "events", "reached_at", "unranked"), False),
        ("t", team_standing, "team_id", ("points",), True),
    ):
        keys = (*_KEYS, who)
        changed = " OR ".join(f"s.{value} IS DISTINCT FROM f.{value}" for value in values)
        extra_columns, extra_values = (", members, average", ", 0, 0") if for_teams else ("", "")
        parts += [
            f"{name}_diff AS MATERIALIZED (SELECT s.id AS old_id, f.period IS NULL AS gone, "  # nosec B608
            f"{', '.join(f'f.{column}' for column in (*keys, *values))} FROM {table} s "
            f"FULL JOIN (SELECT * FROM fresh WHERE {'' if for_teams else 'NOT '}for_teams) f "
            f"ON {_same('s', 'f', who)} WHERE s.id IS NULL OR f.period IS NULL OR {changed})",
            f"{name}_del AS (DELETE FROM {table} WHERE id IN (SELECT old_id FROM {name}_diff WHERE gone) RETURNING 1)",  # nosec B608
            f"{name}_upd AS (UPDATE {table} s SET {', '.join(f'{value} = d.{value}' for value in values)} "  # nosec B608
            f"FROM {name}_diff d WHERE s.id = d.old_id AND NOT d.gone RETURNING 1)",
            f"{name}_ins AS (INSERT INTO {table} ({', '.join((*keys, *values))}{extra_columns}) "  # nosec B608
            f"SELECT {', '.join((*keys, *values))}{extra_values} FROM {name}_diff WHERE old_id IS NULL RETURNING 1)",
        ]
        counted += [f"(SELECT COUNT(*) FROM {name}_{step})" for step in ("del", "upd", "ins")]  # nosec B608
    statements = [(f"WITH {', '.join(parts)} SELECT {' + '.join(counted)}", [*params, *unranked_params])]
    with connection.cursor() as cursor:
        for sql, sql_params in statements:
            cursor.execute(sql, sql_params)
        return cursor.fetchone()[0]


def standings_rebuild(*, now: datetime | None = None) -> int:
    """Recreate every kept board from the whole ledger; returns how many standings rows it wrote.

    Deterministic (a function of the ledger and who is ranked, never of the order
    rows arrive in) and idempotent. On PostgreSQL it reads one snapshot
    (REPEATABLE READ), so events committed meanwhile stay queued for the next apply
    and nothing is counted twice.
    """
    now = now or timezone.now()
    own_snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    if own_snapshot:
        # A session lock taken before the transaction, so the snapshot starts after any apply finished.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
    try:
        with transaction.atomic():
            if own_snapshot:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            else:
                _lock()
            return _rebuild(now)
    finally:
        if own_snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def _rebuild(now: datetime) -> int:
    window = live_window(now)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One aggregation over the whole ledger: let it hash in memory rather than spill to disk.
            cursor.execute("SET LOCAL work_mem = '128MB'")
        # Everything in this snapshot is counted below, so its queued events are done.
        cursor.execute(f"DELETE FROM {PendingPointEvent._meta.db_table}")  # nosec B608
        if connection.vendor == "postgresql":
            written = _rebuild_postgres(window)
        else:
            cursor.execute(f"DELETE FROM {Standing._meta.db_table}")  # nosec B608
            cursor.execute(f"DELETE FROM {TeamStanding._meta.db_table}")  # nosec B608
            people_sql, people_params, team_sql, team_params = _rebuild_statements(window)
            cursor.execute(people_sql, people_params)
            written = max(cursor.rowcount, 0)
            cursor.execute(team_sql, team_params)
            Standing.objects.filter(user__in=User.objects.filter(unranked_users_q())).update(unranked=True)
    _refresh_team_members(None)
    # Nothing rewritten (the usual case: the apply kept the boards right) leaves the counts right too.
    if written or connection.vendor != "postgresql":
        _recount()
    return written
