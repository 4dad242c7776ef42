"""The full rebuild: every kept board recreated from the whole ledger.

Runs nightly and after the visibility rules change; the result equals what the
incremental apply (standings_apply.py) keeps up, row for row.
"""

# SQL here is assembled from model table names and fixed column lists; values are always parameters.
# (bandit has no file-wide switch, hence the B608 markers on those lines.)
# ruff: noqa: S608

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from advocacy.people.models import User

from .models import ALL_TIME_START, PendingPointEvent, PointEvent, Standing, StandingCount, TeamStanding
from .periods import Period, live_window
from .standings import LOCK_KEY, Scope, lock, refresh_team_members, unranked_users_q

PERIOD_COLUMNS = {Period.WEEK: "week", Period.MONTH: "month", Period.QUARTER: "quarter"}
ALL_TIME_START_SQL = ALL_TIME_START.isoformat()


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
                lock()
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
    refresh_team_members(None)
    # Nothing rewritten (the usual case: the apply kept the boards right) leaves the counts right too.
    if written or connection.vendor != "postgresql":
        _recount()
    return written
