"""Clicks to points at company size, on PostgreSQL and Redis.

Builds 20,000 employees and 20,000 shares made in the last days, with 1,000,000 older clicks
and the ledger and standings they earned (times --scale), then puts 100,000 new clicks over
those shares on the Redis click stream as the redirect leaves them, and measures the worker's
three stages on them:

- drain: ``sharing.services.clicks_drain`` until the stream is empty (clicks written, totals added);
- awards: the scan's click awards (``leaderboard.tasks.award_click_days``, the last two days);
- apply: ``leaderboard.tasks.apply_standings`` (the new ledger events onto the standings).

Beside it, in the same run and on the same data, hand-written set-based SQL does the same work
(one INSERT … SELECT per 10,000 stream entries that also adds the totals, one INSERT … SELECT
for every award, one statement for the standings and team boards), inside a transaction that
is rolled back so the application then starts from the very same state. The baseline leaves
out what only the application does: the per-address and yesterday's-visitor rechecks of the
drain, the Redis acknowledgements, and the per-points counts behind ranks.

Targets: the application's total worker time <= 30 s, and <= 1.5 x the baseline's.

It never touches the database DATABASE_URL names: it (re)creates "<name>_clicks_bench" next
to it. The Redis at BENCH_REDIS_URL / REDIS_URL (default redis://127.0.0.1:6379/14) must be an
empty scratch database: it is flushed at the end.

With ``--keep`` a run first saves the built company as "<name>_clicks_built" (before any new
click) and a later run at the same scale copies it back instead of building it again, then
migrates it (so a new migration is measured too).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/advocacy \\
        .venv/bin/python benchmarks/bench_click_pipeline.py [--scale 0.1] [--keep]
"""

# SQL here is assembled from fixed table and column names; values are always parameters.
# ruff: noqa: S608

import argparse
import json
import os
import random
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_leaderboard as generators

NEW_CLICKS, SHARES, EMPLOYEES, OLD_CLICKS = 100_000, 20_000, 20_000, 1_000_000
HISTORY_DAYS = 60
TARGET_SECONDS, TARGET_RATIO = 30.0, 1.5
BASELINE_CHUNK = 10_000


def _redis():
    import redis

    url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        size = client.dbsize()
    except redis.RedisError as exc:
        sys.exit(f"bench_click_pipeline needs Redis (the click stream); {url} is unreachable: {exc}")
    if size:
        sys.exit(f"{url} holds {size} keys; point BENCH_REDIS_URL at an empty scratch database (it is flushed).")
    return url, client


def build(cursor, scale: float) -> dict:
    """People, posts and shares; old clicks with the ledger and standings they earned."""
    from leaderboard.standings_rebuild import standings_rebuild
    from sharing.models import Click, Share

    people = generators.build_people_and_content(cursor, EMPLOYEES / generators.EMPLOYEES * scale)
    shares, old_clicks = max(int(SHARES * scale), 100), int(OLD_CLICKS * scale)
    share_time = "now() - interval '1 hour' - (mod(i * 7919, 2 * 86400)) * interval '1 second'"
    with generators.step(f"{shares:,} shares"):
        generators.generated_insert(
            cursor,
            Share,
            shares,
            {
                "user_id": f"{people['first_user']} + mod(i - 1, {people['employees']})",
                "post_id": f"{people['first_post']} + mod(i - 1, {generators.POSTS})",
                "network": "'linkedin'",
                "code": "'p' || i",
                "created_at": f"{share_time} - interval '{HISTORY_DAYS} days'",
                "last_shared_at": share_time,
                "sharer_visitor_hash": "'sharer' || i",
            },
        )
    first_share = Share.objects.order_by("pk").values_list("pk", flat=True).first()
    with generators.step(f"{old_clicks:,} older clicks (indexes rebuilt after the load)"):
        # Building the indexes once is far quicker than maintaining them row by row; every one
        # of them (and the constraints) is back before anything is measured.
        recreate = generators._drop_secondary_indexes(cursor, Click._meta.db_table, keep_foreign_keys=True)
        generators.generated_insert(
            cursor,
            Click,
            old_clicks,
            {
                "event_id": "gen_random_uuid()",
                "share_id": f"{first_share} + floor(power(random(), 2) * {shares})::bigint + 0 * i",
                "occurred_at": f"now() - random() * interval '{HISTORY_DAYS} days'",
                "visitor_hash": "md5('old' || i)",
                "address_hash": "md5('addr' || i)",
                "kind": "CASE WHEN random() < 0.85 THEN 'human' ELSE 'bot' END",
                "tallied": "true",
            },
        )
        for definition in recreate:
            cursor.execute(definition)
        cursor.execute(
            "UPDATE sharing_share s SET human_clicks = c.n FROM (SELECT share_id, count(*) AS n FROM sharing_click "
            "WHERE kind = 'human' GROUP BY share_id) c WHERE s.id = c.share_id"
        )
    with generators.step("the ledger they earned"):
        events = generators.derive_ledger(cursor, share_filter="true")
    with generators.step("standings rebuilt from it"):
        standings_rebuild()
    cursor.execute("VACUUM ANALYZE")
    return {"shares": shares, "first_share": first_share, "old_clicks": old_clicks, "events": events}


def _admin(url: str):
    import psycopg2

    parts = urlsplit(url)
    admin = psycopg2.connect(
        dbname="postgres", user=parts.username, password=parts.password, host=parts.hostname, port=parts.port or 5432
    )
    admin.autocommit = True
    return admin


def _saved_scale(url: str, saved: str) -> float | None:
    """The scale the saved company was built at, or None when there is none."""
    admin = _admin(url)
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [saved])
            row = cursor.fetchone()
    finally:
        admin.close()
    return float(row[0]) if row and row[0] else None


def _copy_database(url: str, source: str, target: str, scale: float | None = None) -> None:
    """``target`` becomes a copy of ``source`` (file copy: quicker than replaying it through the WAL)."""
    # (Not "with admin": psycopg2 opens a transaction block there, where CREATE DATABASE cannot run.)
    admin = _admin(url)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
        cursor.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}" STRATEGY FILE_COPY')
        if scale is not None:
            cursor.execute(f"COMMENT ON DATABASE \"{target}\" IS '{scale:g}'")
    admin.close()


def push_new_clicks(client, ids: dict, count: int, seed: int = 17) -> None:
    """``count`` new clicks on the stream as the capture script writes them: popular shares get most."""
    from sharing import clickstream

    rng = random.Random(seed)
    now = time.time()
    pipe = client.pipeline(transaction=False)
    for n in range(count):
        share = ids["first_share"] + int(rng.random() ** 2 * ids["shares"])
        visitor = uuid.UUID(int=rng.getrandbits(128)).hex
        fields = {
            "e": uuid.UUID(int=rng.getrandbits(128)).hex,
            "s": share,
            "v": visitor,
            "y": visitor[::-1],
            "a": uuid.UUID(int=rng.getrandbits(128)).hex,
            "k": "human" if rng.random() < 0.85 else "bot",
            "t": f"{now - rng.random() * 20 * 3600:.6f}",
        }
        pipe.xadd(clickstream.STREAM_KEY, fields)
        if n % 5000 == 4999:
            pipe.execute()
    pipe.execute()


# --- The application -------------------------------------------------------------------------


def run_application() -> dict[str, float]:
    from django.utils import timezone

    from leaderboard import tasks
    from sharing.services import clicks_drain

    timings = {}
    start = time.perf_counter()
    while clicks_drain():
        pass
    timings["drain"] = time.perf_counter() - start
    start = time.perf_counter()
    # One scan, as the worker runs it: without a deadline it awards every due batch.
    tasks.award_click_days(now=timezone.now())
    timings["awards"] = time.perf_counter() - start
    start = time.perf_counter()
    tasks.apply_standings()
    timings["apply"] = time.perf_counter() - start
    return timings


# --- The hand-written baseline ---------------------------------------------------------------


def baseline_drain(cursor, client) -> None:
    """Read the stream (without consuming it) and write each 10,000 entries with one statement."""
    from leaderboard.standings_apply import _array_literal
    from sharing import clickstream

    last = "-"
    while True:
        entries = client.xrange(clickstream.STREAM_KEY, min=last, count=BASELINE_CHUNK + (last != "-"))
        if last != "-":
            entries = entries[1:]
        if not entries:
            return
        last = entries[-1][0]
        columns = list(zip(*((f[b"e"], f[b"s"], f[b"t"], f[b"v"], f[b"a"], f[b"k"]) for _, f in entries)))
        arrays = [_array_literal(value.decode() for value in column) for column in columns]
        cursor.execute(
            """
            WITH new AS (
                SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::float8[], %s::text[], %s::text[], %s::text[])
                    AS n(event_id, share_id, t, visitor_hash, address_hash, kind)
            ), written AS (
                INSERT INTO sharing_click (event_id, share_id, occurred_at, visitor_hash, address_hash, kind, tallied)
                SELECT n.event_id, n.share_id, to_timestamp(n.t), n.visitor_hash, n.address_hash, n.kind, true
                FROM new n JOIN sharing_share s ON s.id = n.share_id
                ON CONFLICT DO NOTHING
                RETURNING share_id, kind
            )
            UPDATE sharing_share s SET human_clicks = s.human_clicks + c.n
            FROM (SELECT share_id, count(*) AS n FROM written WHERE kind = 'human' GROUP BY share_id) c
            WHERE s.id = c.share_id
            """,
            arrays,
        )


def baseline_awards(cursor) -> None:
    """Every due (share, day) batch of the last two days, priced, described and queued, in one statement."""
    from django.conf import settings
    from django.utils import timezone

    from leaderboard.periods import day_bounds, local_date
    from leaderboard.services import points_rules_current

    rules = points_rules_current()
    since_day = local_date(timezone.now()) - timedelta(days=1)
    cursor.execute(
        """
        WITH seen AS (
            SELECT share_id, (occurred_at AT TIME ZONE %(zone)s)::date AS day, count(*) AS n,
                max(occurred_at) AS last
            FROM sharing_click WHERE kind = 'human' AND occurred_at >= %(since)s GROUP BY 1, 2
        ), covered AS (
            SELECT share_ref, day, sum(quantity) AS q FROM leaderboard_pointevent
            WHERE kind = 'clicks' AND day >= %(since_day)s GROUP BY 1, 2
        ), due AS (
            SELECT seen.*, coalesce(covered.q, 0) AS q, least(seen.n, %(cap)s) - coalesce(covered.q, 0) AS quantity
            FROM seen LEFT JOIN covered ON covered.share_ref = seen.share_id AND covered.day = seen.day
            WHERE least(seen.n, %(cap)s) > coalesce(covered.q, 0)
        ), written AS (
            INSERT INTO leaderboard_pointevent (cause_key, user_id, kind, points, quantity, rules_id, occurred_at,
                week, month, quarter, team_id_at_award, campaign_id_at_award, share_ref, day, description, reason,
                detail, created_at)
            SELECT 'clicks:' || d.share_id || ':' || d.day || CASE WHEN d.q > 0 THEN ':from-' || d.q ELSE '' END,
                s.user_id, 'clicks', d.quantity * %(per_click)s, d.quantity, %(rules)s, d.last,
                date_trunc('week', d.day)::date, date_trunc('month', d.day)::date,
                date_trunc('quarter', d.day)::date, u.team_id, p.campaign_id, d.share_id, d.day,
                left(d.quantity || ' human click' || CASE WHEN d.quantity = 1 THEN '' ELSE 's' END || ' on “'
                    || p.title || '” on ' || to_char(d.day, 'DD Mon')
                    || CASE WHEN least(d.n, %(cap)s) = %(cap)s THEN ' (daily cap reached)' ELSE '' END, 300),
                '', jsonb_build_object('clicks_seen', d.n, 'cap', %(cap)s), now()
            FROM due d JOIN sharing_share s ON s.id = d.share_id JOIN people_user u ON u.id = s.user_id
            JOIN content_library_post p ON p.id = s.post_id
            ON CONFLICT (cause_key) DO NOTHING
            RETURNING id
        )
        INSERT INTO leaderboard_pendingpointevent (event_id) SELECT id FROM written
        """,
        {
            "zone": settings.LEADERBOARD_TIME_ZONE,
            "since": day_bounds(since_day)[0],
            "since_day": since_day,
            "cap": rules.click_cap_per_share_per_day,
            "per_click": rules.human_click,
            "rules": rules.pk,
        },
    )


def baseline_apply(cursor) -> None:
    """Claim every queued event and add it to the live boards of people and teams, in one statement."""
    from leaderboard.periods import live_window

    window = live_window()
    boards = [(period, start) for period, starts in window.starts.items() for start in starts]
    cursor.execute(
        """
        WITH claimed AS (
            DELETE FROM leaderboard_pendingpointevent RETURNING event_id
        ), boards AS (
            SELECT * FROM unnest(%s::text[], %s::date[]) AS b(period, start)
        ), events AS (
            SELECT b.period, b.start, e.user_id, e.points, e.occurred_at, e.team_id_at_award AS team,
                e.campaign_id_at_award AS campaign
            FROM claimed JOIN leaderboard_pointevent e ON e.id = claimed.event_id
            CROSS JOIN LATERAL (VALUES ('week', e.week), ('month', e.month), ('quarter', e.quarter),
                ('all', DATE '1970-01-01')) AS p(period, start)
            JOIN boards b ON b.period = p.period AND b.start = p.start
        ), scoped AS (
            SELECT events.*, s.scope, s.scope_id FROM events
            CROSS JOIN LATERAL (VALUES ('everyone', 0::bigint), ('team', events.team),
                ('campaign', events.campaign)) AS s(scope, scope_id)
            WHERE s.scope_id IS NOT NULL
        ), teams AS (
            INSERT INTO leaderboard_teamstanding (period, period_start, scope, scope_id, team_id, points, members,
                average)
            SELECT period, start, scope, scope_id, team, sum(points), 0, 0 FROM scoped
            WHERE team IS NOT NULL AND scope IN ('everyone', 'campaign') GROUP BY 1, 2, 3, 4, 5
            ON CONFLICT (period, period_start, scope, scope_id, team_id)
            DO UPDATE SET points = leaderboard_teamstanding.points + EXCLUDED.points
        )
        INSERT INTO leaderboard_standing (period, period_start, scope, scope_id, user_id, points, events, reached_at,
            unranked)
        SELECT period, start, scope, scope_id, user_id, sum(points), count(*), max(occurred_at), false FROM scoped
        GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT (period, period_start, scope, scope_id, user_id) DO UPDATE SET
            points = leaderboard_standing.points + EXCLUDED.points,
            events = leaderboard_standing.events + EXCLUDED.events,
            reached_at = GREATEST(leaderboard_standing.reached_at, EXCLUDED.reached_at)
        """,
        [
            "{" + ",".join(period for period, _ in boards) + "}",
            "{" + ",".join(start.isoformat() for _, start in boards) + "}",
        ],
    )


def run_baseline(client) -> dict[str, float]:
    """The baseline's three stages, in one transaction rolled back afterwards."""
    from django.db import connection, transaction

    timings = {}
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for stage, work in (
                ("drain", lambda: baseline_drain(cursor, client)),
                ("awards", lambda: baseline_awards(cursor)),
                ("apply", lambda: baseline_apply(cursor)),
            ):
                start = time.perf_counter()
                work()
                timings[stage] = time.perf_counter() - start
            timings["events"] = _count(cursor, "leaderboard_pointevent")
            raise _RollBack
    except _RollBack:
        pass
    return timings


class _RollBack(Exception):
    pass


def _count(cursor, table: str) -> int:
    cursor.execute(f"SELECT count(*) FROM {table}")
    return cursor.fetchone()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size (0.1 for a quick run)")
    parser.add_argument("--keep", action="store_true", help="save the built company, or reuse one saved at this scale")
    args = parser.parse_args()
    if not 0 < args.scale <= 1:
        parser.error("--scale must be in (0, 1]")
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme in ("postgres", "postgresql"):
        url = urlunsplit(parts._replace(path=f"/{(parts.path.lstrip('/') or 'advocacy')}_clicks"))
    saved = f"{urlsplit(url).path.lstrip('/') or 'advocacy'}_built"
    reuse = args.keep and urlsplit(url).scheme in ("postgres", "postgresql") and _saved_scale(url, saved) == args.scale
    os.environ["DATABASE_URL"] = generators.scratch_database(url)
    if reuse:
        _copy_database(url, saved, urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/"))
    redis_url, client = _redis()
    os.environ["REDIS_URL"] = redis_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings.base")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    new_clicks = int(NEW_CLICKS * args.scale)
    print(f"bench_click_pipeline at scale {args.scale:g} on {connection.settings_dict['NAME']} and {redis_url}")
    try:
        with generators.step("migrate the scratch database"):
            call_command("migrate", verbosity=0)
        with connection.cursor() as cursor:
            if reuse:
                print(f"  reusing the company saved in {saved} (--keep)")
                cursor.execute("SELECT value FROM bench_click_pipeline_built")
                ids = json.loads(cursor.fetchone()[0])
            else:
                ids = build(cursor, args.scale)
                cursor.execute("CREATE TABLE bench_click_pipeline_built (value text)")
                cursor.execute("INSERT INTO bench_click_pipeline_built VALUES (%s)", [json.dumps(ids)])
            events_before = _count(cursor, "leaderboard_pointevent")
        if args.keep and not reuse:
            with generators.step(f"save the company as {saved}"):
                connection.close()
                _copy_database(url, connection.settings_dict["NAME"], saved, scale=args.scale)
        with generators.step(f"{new_clicks:,} new clicks on the stream"):
            push_new_clicks(client, ids, new_clicks)
        # The baseline twice (rolled back each time; the best counts), then the application for real.
        baseline = min((run_baseline(client) for _ in range(2)), key=lambda t: t["drain"] + t["awards"] + t["apply"])
        app = run_application()
        with connection.cursor() as cursor:
            app_events = _count(cursor, "leaderboard_pointevent") - events_before
            clicks = _count(cursor, "sharing_click") - ids["old_clicks"]
            cursor.execute(
                "SELECT count(*) FROM sharing_share s WHERE human_clicks <> "
                "(SELECT count(*) FROM sharing_click c WHERE c.share_id = s.id AND c.kind = 'human')"
            )
            wrong_totals = cursor.fetchone()[0]
            pending = _count(cursor, "leaderboard_pendingpointevent")
    finally:
        client.flushdb()
    baseline_events = baseline["events"] - events_before
    app_total = app["drain"] + app["awards"] + app["apply"]
    base_total = baseline["drain"] + baseline["awards"] + baseline["apply"]
    ratio = app_total / base_total
    print()
    print(f"{new_clicks:,} new clicks over {ids['shares']:,} shares ({ids['old_clicks']:,} older clicks in the table)")
    print(f"{'stage':8} {'application':>12} {'hand-written SQL':>17}")
    for stage in ("drain", "awards", "apply"):
        print(f"{stage:8} {app[stage]:11.2f}s {baseline[stage]:16.2f}s")
    print(f"{'total':8} {app_total:11.2f}s {base_total:16.2f}s")
    print(f"clicks written: {clicks:,}; ledger events: application {app_events:,}, baseline {baseline_events:,}")
    print(f"shares whose total disagrees with their clicks: {wrong_totals}; events left unapplied: {pending}")
    checks = [
        (f"worker time {app_total:.1f}s (target <= {TARGET_SECONDS:g}s)", app_total <= TARGET_SECONDS),
        (f"ratio to hand-written SQL {ratio:.2f} (target <= {TARGET_RATIO})", ratio <= TARGET_RATIO),
        (
            "same work: every click written, every total right, the same awards, all applied",
            clicks == new_clicks and wrong_totals == 0 and app_events == baseline_events and pending == 0,
        ),
    ]
    for label, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'} {label}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
