"""Every role's pages at demo size and at company size, side by side, on PostgreSQL.

Builds two scratch databases next to the one DATABASE_URL names (never touching it):

- "<name>_pages_demo": what `make run` gives a new user (`seed_demo`);
- "<name>_pages": a large company: 100,000 employees, 5,000 posts, 1,000,000 shares,
  10,000,000 click events (times --scale), engagement totals for a third of the shares and
  the points ledger derived from them, built with the leaderboard benchmark's generators.

For every page of every role it prints the query count at both sizes and the median server
time of 20 requests at company size (the Django test client in this process: middleware,
view, template; no network). Target: every page <= 200 ms median, and the same query count
at both sizes (a count that grows with the data is an N+1 waiting to happen).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/advocacy \
        .venv/bin/python benchmarks/bench_pages.py [--scale 0.1]

Each size runs in its own process (one database per process), which re-invokes this script
with --phase and hands its figures back as JSON on the last line of its output.
"""

# SQL here is assembled from table names and fixed column lists; values are parameters.

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_leaderboard as generators

TARGET_MS = 200.0
REQUESTS = 20
POSTS = 5_000


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings.base")
    # Production-like: no debug toolbar of queries kept in memory, no template debug.
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def _scratch(url: str, suffix: str) -> str:
    """A fresh scratch database "<name>_<suffix>" (bench_leaderboard's helper appends "_bench")."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    named = urlunsplit(parts._replace(path=f"/{(parts.path.lstrip('/') or 'advocacy')}_{suffix}"))
    # scratch_database() adds "_bench"; the result is "<name>_<suffix>_bench".
    return generators.scratch_database(named)


def _cast() -> dict:
    """One person per role who can see everything the pages show."""
    from django.contrib.auth.models import Group

    from advocacy.people.models import Team, User
    from advocacy.people.roles import Role

    team = Team.objects.order_by("pk").first()
    people = {}
    for username, roles in (
        ("bench-employee", [Role.EMPLOYEE]),
        ("bench-comms", [Role.EMPLOYEE, Role.COMMS_ADMIN]),
        ("bench-hr", [Role.EMPLOYEE, Role.HR]),
    ):
        user, _ = User.objects.get_or_create(
            username=username, defaults={"display_name": username, "email": f"{username}@example.com", "team": team}
        )
        user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
        people[username.removeprefix("bench-")] = user
    return people


def _pages(people: dict) -> list[tuple[str, str, str]]:
    """(role, label, path) for every page worth timing, with real ids from the data."""
    from content_library.selectors import post_feed
    from draws.models import Draw
    from sharing.models import Share

    employee = people["employee"]
    post = post_feed(user=employee).first()
    busiest = Share.objects.order_by("-human_clicks").values_list("post_id", flat=True).first() or post.pk
    reviewed = Share.objects.order_by("-human_clicks").values_list("user_id", flat=True).first() or employee.pk
    draw = Draw.objects.order_by("-pk").first()
    pages = [
        ("employee", "home", "/"),
        ("employee", "feed", "/library/"),
        ("employee", "post", f"/library/{post.slug}/"),
        ("employee", "board (week)", "/leaderboard/"),
        ("employee", "board (all time)", "/leaderboard/?period=all"),
        ("employee", "my points", "/leaderboard/me/"),
        ("employee", "my activity", "/activity/"),
        ("employee", "draws", "/draws/"),
        ("comms", "comms posts", "/comms/library/posts/"),
        ("comms", "comms review", "/comms/library/review/"),
        ("comms", "analytics 30 days", "/comms/analytics/"),
        ("comms", "analytics 365 days", "/comms/analytics/?" + _range(365)),
        ("comms", "post performance", f"/comms/analytics/posts/{busiest}/"),
        ("hr", "HR review (week)", "/leaderboard/review/"),
        ("hr", "HR review person", f"/leaderboard/review/people/{reviewed}/"),
        ("hr", "HR analytics", "/hr/analytics/"),
        ("hr", "HR draws", "/hr/draws/"),
        ("hr", "people", "/people/"),
    ]
    if draw:
        pages.append(("employee", "draw", f"/draws/{draw.pk}/"))
    return pages


def _range(days: int) -> str:
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    return f"start={(today - timedelta(days=days - 1)).isoformat()}&end={today.isoformat()}"


def measure(people: dict) -> dict:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    clients = {}
    for role, user in people.items():
        clients[role] = Client()
        clients[role].force_login(user)
    figures = {}
    for role, label, path in _pages(people):
        client = clients[role]
        for _ in range(2):  # warm caches and the plan cache, as a running server would be
            response = client.get(path)
        if response.status_code != 200:
            figures[label] = {"role": role, "path": path, "status": response.status_code}
            continue
        reset_queries()  # the log is a bounded deque: a full one would capture nothing
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        queries = len(captured.captured_queries)  # read now: it is a slice of the log reset below
        samples = []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            client.get(path)
            samples.append((time.perf_counter() - start) * 1000)
            reset_queries()
        figures[label] = {
            "role": role,
            "path": path,
            "status": 200,
            "queries": queries,
            "median_ms": statistics.median(samples),
            "bytes": len(response.content),
        }
    return figures


def phase_demo(url: str) -> dict:
    _setup_django(_scratch(url, "pages_demo"))
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    return measure(_cast())


def _existing(url: str, suffix: str) -> tuple[str | None, float | None]:
    """The scratch database a previous run built at this scale (see --keep), or None."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg2

    parts = urlsplit(url)
    name = f"{(parts.path.lstrip('/') or 'advocacy')}_{suffix}_bench"
    existing = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        with psycopg2.connect(existing) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT scale FROM bench_pages_built")
            return existing, cursor.fetchone()[0]
    except psycopg2.Error:
        return None, None


def phase_large(url: str, scale: float, keep: bool = False) -> dict:
    existing, built_scale = _existing(url, "pages") if keep else (None, None)
    if existing and built_scale == scale:
        _setup_django(existing)
        from django.core.management import call_command

        print(f"bench_pages: reusing the large company built at scale {scale:g} (--keep)", flush=True)
        with generators.step("migrate"):
            call_command("migrate", verbosity=0)
        _worker_rebuilds()
        return measure(_cast())
    _setup_django(_scratch(url, "pages"))
    from django.core.management import call_command
    from django.db import connection

    generators.POSTS = max(int(POSTS * scale), 100)
    print(f"bench_pages: the large company at scale {scale:g} on {connection.settings_dict['NAME']}", flush=True)
    with generators.step("migrate and seed_demo"):
        call_command("migrate", verbosity=0)
        # The demo's draws, guidelines and campaigns first: its seeders walk every employee.
        call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        ids = generators.build_people_and_content(cursor, scale)
        ids |= generators.build_shares_and_clicks(cursor, scale, ids)
        _company_facts(cursor, ids)
        cursor.execute("SET work_mem = '128MB'")
        with generators.step("ledger"):
            generators.derive_ledger(cursor, share_filter="s.sharer_visitor_hash LIKE 'sharer%%'")
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CREATE TABLE bench_pages_built (scale float)")
        cursor.execute("INSERT INTO bench_pages_built VALUES (%s)", [scale])
    _worker_rebuilds()
    return measure(_cast())


def _worker_rebuilds() -> None:
    """What the workers keep from the raw rows: standings, analytics rollups, review flags."""
    from django.db import connection

    from analytics.rollups import rollups_refresh
    from leaderboard.review_flags import review_flags_refresh
    from leaderboard.standings_rebuild import standings_rebuild

    with connection.cursor() as cursor, generators.step("the click index the review flags read by"):
        # The generators drop the click table's secondary indexes for the load; the flags worker
        # reads clicks by share, as in production, so that one comes back.
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS click_dedup_idx ON sharing_click (share_id, visitor_hash, occurred_at)"
        )
    with generators.step("standings"):
        standings_rebuild()
    with generators.step("review flags"):
        review_flags_refresh(full=True)
    with generators.step("analytics rollups"):
        rollups_refresh(full=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _company_facts(cursor, ids: dict) -> None:
    """What the generators leave out but the pages read: roles, live posts, click totals, engagement."""
    from django.contrib.auth.models import Group

    from advocacy.people.roles import Role

    employee_group = Group.objects.get(name=Role.EMPLOYEE.value).pk
    with generators.step("employee role, live posts"):
        cursor.execute(
            "INSERT INTO people_user_groups (user_id, group_id) SELECT id, %s FROM people_user ON CONFLICT DO NOTHING",
            [employee_group],
        )
        cursor.execute(
            "UPDATE content_library_post SET publish_at = now() - (id %% 90) * interval '1 day', "
            "body = 'Body of ' || title, suggested_caption = 'Read this: ' || title WHERE id >= %s",
            [ids["first_post"]],
        )
    with generators.step("human clicks per share"):
        cursor.execute(
            "UPDATE sharing_share s SET human_clicks = c.n FROM (SELECT share_id, count(*) AS n FROM sharing_click "
            "WHERE kind = 'human' GROUP BY share_id) c WHERE c.share_id = s.id"
        )
    with generators.step("engagement totals for a third of the shares"):
        cursor.execute(
            "INSERT INTO metrics_sharemetrics (share_id, network, post_id, instance, published_at, status, likes, "
            "reposts, replies, quotes, impressions, last_error, is_demo) "
            "SELECT id, network, 'urn:li:share:' || id, '', created_at, 'finished', mod(id, 40), mod(id, 7), "
            "mod(id, 5), NULL, CASE WHEN mod(id, 2) = 0 THEN mod(id, 3000) END, '', false "
            "FROM sharing_share WHERE mod(id, 3) = 0 ON CONFLICT DO NOTHING"
        )


def _run_phase(phase: str, args) -> dict:
    command = [sys.executable, __file__, "--phase", phase, "--scale", str(args.scale)] + (
        ["--keep"] if args.keep else []
    )
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    lines = output.stdout.strip().splitlines()
    for line in lines[:-1]:
        print(line)
    return json.loads(lines[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size (0.1 for a quick run)")
    parser.add_argument(
        "--keep", action="store_true", help="reuse the large company a previous run built at the same scale"
    )
    parser.add_argument("--phase", choices=["demo", "large"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not 0 < args.scale <= 1:
        parser.error("--scale must be in (0, 1]")
    url = os.environ.get("DATABASE_URL", "")
    if args.phase == "demo":
        print(json.dumps(phase_demo(url)))
        return 0
    if args.phase == "large":
        print(json.dumps(phase_large(url, args.scale, keep=args.keep)))
        return 0
    if not url.startswith(("postgres://", "postgresql://")):
        generators.scratch_database(url)  # prints why and exits
    demo = _run_phase("demo", args)
    large = _run_phase("large", args)
    print()
    print(f"{'page':<22} {'role':<9} {'queries demo':>12} {'queries large':>13} {'median ms':>10}  result")
    ok = True
    for label, figures in large.items():
        before = demo.get(label, {})
        if figures["status"] != 200 or before.get("status") != 200:
            ok = False
            print(f"{label:<22} {figures['role']:<9} status {before.get('status')} / {figures['status']}  FAIL")
            continue
        passed = figures["median_ms"] <= TARGET_MS and figures["queries"] == before["queries"]
        ok &= passed
        print(
            f"{label:<22} {figures['role']:<9} {before['queries']:>12} {figures['queries']:>13} "
            f"{figures['median_ms']:>10.1f}  {'PASS' if passed else 'FAIL'}"
        )
    print(f"target: every page <= {TARGET_MS:.0f} ms median of {REQUESTS}, same query count at both sizes")
    print("PASS" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
