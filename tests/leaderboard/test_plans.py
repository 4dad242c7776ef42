"""Plans that stay put: the workers' queries on the click and ledger tables use their indexes.

The click pipeline runs every few seconds against the two biggest tables. A plan that walks
one of them (a sequential scan, or the whole primary key in order) costs 41 ms at 52 k rows
and a second at 2.5 M, so these tests run the real drain, tally and award code, capture every
query it sends to those tables and EXPLAIN each: on a table PostgreSQL has never analysed
(its statistics are wiped inside the test's transaction, which rolls them back) and again
once analysed.
"""

# SQL here is assembled from model table names; values are always parameters.
# ruff: noqa: S608

import json
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leaderboard.click_awards import click_batches_due
from leaderboard.models import PointEvent
from leaderboard.periods import local_date
from leaderboard.services import points_award_for_clicks, points_rules_current
from leaderboard.tasks import award_click_days
from sharing import clickstream
from sharing.models import Click
from sharing.services import clicks_drain, clicks_tally

from .conftest import make_share

pytestmark = pytest.mark.django_db
TABLES = (Click._meta.db_table, PointEvent._meta.db_table)
CLICKS, EVENTS, SHARES = 60_000, 20_000, 40
SMALL_INDEXES = {"click_untallied_idx"}


@pytest.fixture
def company(postgres_only, alice):
    """Forty shares with 60,000 clicks over 60 days (a few still untallied) and 20,000 click awards."""
    shares = [make_share(user=alice, at=timezone.now() - timedelta(days=61)) for _ in range(SHARES)]
    first = shares[0].pk
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Click._meta.db_table}
                (event_id, share_id, occurred_at, visitor_hash, address_hash, kind, tallied)
            SELECT gen_random_uuid(), %s + mod(i, %s), now() - (i * interval '86 seconds'),
                md5('v' || i), md5('a' || i), CASE WHEN mod(i, 7) = 0 THEN 'bot' ELSE 'human' END, i > 25
            FROM generate_series(1, %s) AS g(i)
            """,
            [first, SHARES, CLICKS],
        )
        cursor.execute(
            f"""
            INSERT INTO {PointEvent._meta.db_table}
                (cause_key, user_id, kind, points, quantity, occurred_at, week, month, quarter, share_ref, day,
                 description, reason, detail, created_at)
            SELECT 'old:' || i, %s, 'clicks', 1, 1, now() - i * interval '4 minutes',
                current_date, current_date, current_date, %s + mod(i, %s),
                current_date - (i / 400), 'Old clicks', '', '{{}}', now()
            FROM generate_series(1, %s) AS g(i)
            """,
            [alice.pk, first, SHARES, EVENTS],
        )
    return shares


@pytest.fixture
def with_redis(settings, redis_url):
    settings.REDIS_URL = redis_url
    clickstream.reset_state()
    yield redis_url
    clickstream.reset_state()


def _forget_statistics():
    """Make both tables look never analysed (PostgreSQL 14+: reltuples -1, no column statistics)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("wiping table statistics needs a superuser (the test database's owner usually is)")
        for table in TABLES:
            cursor.execute("UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE oid = %s::regclass", [table])
            cursor.execute("DELETE FROM pg_statistic WHERE starelid = %s::regclass", [table])


def _analyse():
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"ANALYZE {table}")


def _walks(plan: dict, found: list) -> list:
    """Nodes that read a whole click or ledger table: sequential scans, and scans of a whole index.

    Only the untallied-clicks index may be read whole: it holds just the clicks waiting for
    the tally (none, once the drain writes them tallied), not a slice of every click ever made.
    """
    index = plan.get("Index Name", "")
    if plan.get("Relation Name") in TABLES or index:
        whole_index = (
            plan["Node Type"] in ("Index Scan", "Index Only Scan", "Bitmap Index Scan")
            and "Index Cond" not in plan
            and index not in SMALL_INDEXES
        )
        if plan["Node Type"] == "Seq Scan" or whole_index:
            found.append(f"{plan['Node Type']} on {plan.get('Relation Name', '')} {index}".strip())
    for child in plan.get("Plans", []):
        _walks(child, found)
    return found


def _explain_all(run) -> list[str]:
    """Run ``run()``, then EXPLAIN every read or update it made of the click and ledger tables; returns problems."""
    with CaptureQueriesContext(connection) as captured:
        run()
    checked, problems = 0, []
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            continue
        if not any(f'"{table}"' in sql for table in TABLES):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        checked += 1
        walks = _walks(plan[0]["Plan"], [])
        if walks:
            problems.append(f"{', '.join(walks)} for: {sql[:300]}")
    assert checked, "no query on the click or ledger tables was captured"
    return problems


def _push_clicks(shares, count=50):
    conn = clickstream.client()
    conn.delete(clickstream.STREAM_KEY)  # entries an earlier test left in this Redis db are not ours to count
    now = timezone.now().timestamp()
    for n in range(count):
        share = shares[n % len(shares)]
        fields = {"e": uuid.uuid4().hex, "s": share.pk, "v": f"new-{n}", "y": f"old-{n}", "a": f"addr-{n}",
                  "k": "human", "t": f"{now:.6f}"}  # fmt: skip
        conn.xadd(clickstream.STREAM_KEY, fields)


def _pipeline(shares):
    def run():
        _push_clicks(shares)
        assert clicks_drain() == 50
        assert clicks_tally() == 0  # the drain above already tallied what was left
        assert award_click_days(now=timezone.now()) > 0
        points_award_for_clicks(share_id=shares[1].pk, day=local_date(timezone.now()))

    return run


@pytest.mark.parametrize("statistics", ["never analysed", "analysed"])
def test_the_click_pipeline_reads_its_tables_through_indexes(company, with_redis, statistics):
    if statistics == "never analysed":
        _forget_statistics()
    else:
        _analyse()
    problems = _explain_all(_pipeline(company))
    assert problems == [], "\n".join(problems)


def test_the_untallied_lookup_reads_the_small_index_in_order(company):
    _forget_statistics()
    with CaptureQueriesContext(connection) as captured:
        assert clicks_tally() == 25
    lookup = next(q["sql"] for q in captured.captured_queries if "SKIP LOCKED" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {lookup}")
        plan = json.dumps(cursor.fetchone()[0])
    assert "click_untallied_idx" in plan and "sharing_click_pkey" not in plan, plan


def test_the_award_scan_sees_each_due_batch_once(company):
    """The set-based scan agrees with the one-share award it replaces (a sanity check of the fixture too)."""
    cap = points_rules_current().click_cap_per_share_per_day
    due = click_batches_due(since_day=local_date(timezone.now()) - timedelta(days=1), cap=cap)
    assert len({(batch.share_id, batch.day) for batch in due}) == len(due) > 0


def _fallback_reads(shares):
    """What the redirect asks the database while Redis is down (rate limits, repeats, per-address share)."""
    from sharing import selectors

    def run():
        now = timezone.now()
        selectors.visitor_recent_clicks(visitor_hash=md5_of("v", 7), now=now)
        selectors.address_recent_clicks(address_hash=md5_of("a", 7), now=now)
        selectors.click_seen_recently(share_id=shares[7].pk, visitor_hashes=(md5_of("v", 7), "other"), now=now)
        selectors.address_human_clicks(share_id=shares[7].pk, address_hash=md5_of("a", 7))

    return run


def md5_of(prefix: str, n: int) -> str:
    import hashlib

    return hashlib.md5(f"{prefix}{n}".encode(), usedforsecurity=False).hexdigest()


@pytest.mark.parametrize("statistics", ["never analysed", "analysed"])
def test_the_redirects_fallback_reads_use_indexes_without_one_per_query(company, statistics):
    """The click table keeps no index that only these reads would use (each index costs every insert):
    the per-address rate limit reads the last minute through the time index."""
    if statistics == "never analysed":
        _forget_statistics()
    else:
        _analyse()
    problems = _explain_all(_fallback_reads(company))
    assert problems == [], "\n".join(problems)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [Click._meta.db_table])
        indexes = {name for (name,) in cursor.fetchall()}
    assert "click_address_time_idx" not in indexes
    assert not any(name.startswith("sharing_click_share_id") for name in indexes), indexes
