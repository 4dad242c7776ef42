"""Faults battery: a real Celery worker is SIGKILLed at random moments while it works.

Each area runs ROUNDS rounds: new work arrives, its task is queued on this test's own Redis,
a `celery worker --pool=solo` process starts and is SIGKILLed a seeded random delay after it
starts running a task (so kills land at the start, in the middle and after the end of the task's
writes). Then one clean worker runs until the queue is empty, and the result must equal what a
clean run computes: no row lost, none twice.

The worker shares this test's PostgreSQL database (a transactional test, so it sees committed
rows) and runs with a 2-second broker visibility timeout swept every second, so a message a
killed worker held is delivered again within seconds instead of an hour. ROUNDS is 3 by default and 20 with
BATTERY_FULL=1 (see docs/battery-faults.md).
"""

import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta

import pytest
import redis
from django.utils import timezone

from advocacy.celery import app
from leaderboard import standings_rebuild
from leaderboard.models import PendingPointEvent, PointEvent, Standing, StandingCount, TeamStanding
from leaderboard.periods import local_date
from leaderboard.services import points_award_for_clicks, points_award_for_share
from leaderboard.tasks import apply_standings, rebuild_standings
from metrics import tasks as metrics_tasks
from metrics.models import MetricSnapshot, ShareMetrics
from metrics.services import pulls_schedule
from sharing import clickstream, services
from sharing.models import Click, Share
from sharing.tasks import drain_clicks
from tests.factories import TeamFactory, UserFactory
from tests.leaderboard.conftest import make_clicks
from tests.leaderboard.conftest import make_share as make_board_share
from tests.metrics.conftest import Reply, serving
from tests.metrics.conftest import make_share as make_published_share

from .conftest import FAULTS_BASE_DIR, FAULTS_FULL, faults_database_url, faults_subprocess_env

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SEED = 20261011
ROUNDS = 20 if FAULTS_FULL else 3
# How long after taking its message a worker may be killed: about the length of one round's task.
DRAIN_SECONDS, BOARD_SECONDS, PULL_SECONDS = 1.0, 0.1, 3.0

STARTED_KEY, RUNNING_KEY = "faults:tasks-started", "faults:running"
_WORKER = f"""
import redis
from celery.signals import task_postrun, task_prerun

from advocacy.celery import app
app.conf.broker_transport_options = {{
    "visibility_timeout": 2, "unacked_restore_interval": 1, "unacked_restore_throttle": 1,
}}
_broker = redis.Redis.from_url(app.conf.broker_url)

def _started(task=None, **_):
    _broker.pipeline().set("{RUNNING_KEY}", task.name).incr("{STARTED_KEY}").execute()

task_prerun.connect(_started, weak=False)
task_postrun.connect(lambda **_: _broker.delete("{RUNNING_KEY}"), weak=False)
app.worker_main(["worker", "--pool=solo", "--loglevel=WARNING", "--without-gossip", "--without-mingle",
                 "--without-heartbeat"])
"""


class Workers:
    """Starts worker processes on this test's broker and database, kills them, or runs one to the end."""

    def __init__(self, *, redis_server, tmp_path, **extra_env):
        self.broker = redis_server.url()
        self.client = redis.Redis.from_url(self.broker)
        self.environment = faults_subprocess_env(
            database_url=faults_database_url(), redis_url=self.broker, var_dir=tmp_path, **extra_env
        )
        self.kills = 0

    def queue(self, task, *args) -> None:
        # By name, past any apply_async a test has replaced to capture what the code queues.
        with app.connection_for_write(self.broker) as connection:
            app.send_task(task.name, args, connection=connection)

    def _start(self) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-c", _WORKER],
            cwd=FAULTS_BASE_DIR,
            env=self.environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def kill_during(self, rng: random.Random, *, within: float) -> str:
        """Start a worker, and SIGKILL it a random 0–``within`` seconds after it starts running a task.

        Timed from the task's start (the worker counts starts on the broker), not from the
        process start, so the kills land inside the task rather than all during start-up.
        Returns the task that was running when the kill landed ("between tasks" if none).
        """
        started = int(self.client.get(STARTED_KEY) or 0)
        worker = self._start()
        deadline = time.monotonic() + 30
        while int(self.client.get(STARTED_KEY) or 0) == started:
            assert worker.poll() is None, "the worker died before running a task"
            if time.monotonic() > deadline:
                pytest.fail("the worker never started a task")
            time.sleep(0.002)
        time.sleep(rng.uniform(0.0, within))
        running = self.client.get(RUNNING_KEY)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        self.client.delete(RUNNING_KEY)
        self.kills += 1
        return running.decode().rsplit(".", 1)[-1] if running else "between tasks"

    def _busy(self) -> bool:
        return bool(self.client.llen("celery") or self.client.hlen("unacked"))

    def run_clean(self, *, timeout: float = 120.0) -> None:
        """One worker, left alone until nothing is queued or held for a few seconds in a row."""
        worker = self._start()
        deadline, idle_since = time.monotonic() + timeout, None
        try:
            while time.monotonic() < deadline:
                assert worker.poll() is None, "the clean worker died"
                if self._busy():
                    idle_since = None
                elif idle_since is None:
                    idle_since = time.monotonic()
                elif time.monotonic() - idle_since > 3:
                    return
                time.sleep(0.2)
            pytest.fail("the clean worker never finished the queue")
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(20)


@pytest.fixture
def bluesky():
    """A Bluesky API that answers slowly (so kills land mid-pull) with fixed counts per post."""
    with serving() as api:

        def reply(request):
            uris = request.query.get("uris", [])
            posts = [{"uri": uri, "likeCount": _likes(uri), "repostCount": 1} for uri in uris]
            return Reply(body={"posts": posts}, delay=0.6)

        api.route("/xrpc/app.bsky.feed.getPosts", reply)
        yield api


def _likes(uri: str) -> int:
    # From the post's record key, the part the at:// URI and the web URL share.
    return sum(uri.rsplit("/", 1)[-1].encode()) % 97


@pytest.fixture
def workers(postgres_only, faults_redis, tmp_path, settings, bluesky):
    settings.REDIS_URL = faults_redis.url()
    clickstream.reset_state()
    yield Workers(redis_server=faults_redis, tmp_path=tmp_path, METRICS_BLUESKY_APPVIEW_URL=bluesky.url)
    clickstream.reset_state()


def _people(count: int) -> list:
    teams = [TeamFactory(name=f"Faults team {n}", slug=f"faults-{n}") for n in range(4)]
    return [UserFactory(username=f"faults{n}", team=teams[n % 4]) for n in range(count)]


# --- Click drains ---------------------------------------------------------------------------------


def test_click_drains_killed_at_random_lose_and_double_count_nothing(workers):
    rng = random.Random(SEED)
    people = _people(6)
    shares = [make_board_share(user=people[n % 6]) for n in range(30)]
    expected = dict.fromkeys((share.pk for share in shares), 0)
    stream = workers.client
    progress = []  # rows each killed worker got into the database before it died
    landed = Counter()  # which task each kill interrupted
    for _ in range(ROUNDS):
        now = time.time()
        pipe = stream.pipeline(transaction=False)
        for _ in range(3000):
            share_id = shares[rng.randrange(len(shares))].pk
            kind = rng.choice(["human", "human", "human", "duplicate", "bot"])
            expected[share_id] += kind == "human"
            # A visitor of its own per click: the drain counts one human click per visitor, link and day.
            visitor = uuid.UUID(int=rng.getrandbits(128)).hex
            fields = {"e": uuid.UUID(int=rng.getrandbits(128)).hex, "s": share_id, "v": visitor, "k": kind, "t": now}
            pipe.xadd(clickstream.STREAM_KEY, fields)
        pipe.execute()
        workers.queue(drain_clicks)
        before = Click.objects.count()
        landed[workers.kill_during(rng, within=DRAIN_SECONDS)] += 1
        progress.append(Click.objects.count() - before)
    workers.queue(drain_clicks)
    workers.run_clean()
    # Entries a killed drain had read stay pending for its 60 s reclaim delay; take them now.
    services.clicks_drain(min_idle_ms=0)
    assert workers.kills == ROUNDS
    assert Click.objects.count() == ROUNDS * 3000
    assert Click.objects.filter(tallied=False).count() == 0
    assert dict(Share.objects.values_list("pk", "human_clicks")) == expected
    assert stream.xlen(clickstream.STREAM_KEY) == 0
    mid_drain = sum(0 < rows < 3000 for rows in progress)
    print(
        f"\nclick drains: {ROUNDS} kills, during {dict(landed)}, {mid_drain} mid-drain; "
        f"rows written before each kill: {progress}"
    )


# --- Leaderboard applies and rebuilds ----------------------------------------------------------------


def _boards() -> tuple:
    people = sorted(
        Standing.objects.values_list(
            "period", "period_start", "scope", "scope_id", "user_id", "points", "events", "reached_at", "unranked"
        )
    )
    counts = sorted(
        StandingCount.objects.values_list("period", "period_start", "scope", "scope_id", "points", "ranked")
    )
    teams = sorted(
        TeamStanding.objects.values_list("period", "period_start", "scope", "scope_id", "team_id", "points", "members")
    )
    return people, counts, teams


def test_standings_applies_and_rebuilds_killed_at_random_end_equal_to_a_clean_rebuild(workers):
    rng = random.Random(SEED)
    people = _people(24)
    now = timezone.now()
    progress = []  # outbox rows waiting before each kill, and still waiting after it
    landed = Counter()  # which task each kill interrupted
    for _ in range(ROUNDS):
        # New ledger events arrive (each queues itself in the outbox), then a worker starts on them.
        for _ in range(40):
            at = now - timedelta(days=rng.randrange(0, 120), minutes=rng.randrange(0, 600))
            share = make_board_share(user=people[rng.randrange(len(people))], at=at)
            points_award_for_share(share_id=share.pk)
            make_clicks(share=share, count=rng.randrange(0, 6), at=at + timedelta(minutes=5))
            points_award_for_clicks(share_id=share.pk, day=local_date(at + timedelta(minutes=5)))
        for task in rng.sample([apply_standings, rebuild_standings], 2):
            workers.queue(task)
        waiting = PendingPointEvent.objects.count()
        landed[workers.kill_during(rng, within=BOARD_SECONDS)] += 1
        progress.append((waiting, PendingPointEvent.objects.count()))
    workers.queue(apply_standings)
    workers.run_clean()
    assert workers.kills == ROUNDS
    assert PendingPointEvent.objects.count() == 0
    assert PointEvent.objects.count() > ROUNDS * 40
    after_faults = _boards()
    Standing.objects.all().delete()
    StandingCount.objects.all().delete()
    TeamStanding.objects.all().delete()
    standings_rebuild.standings_rebuild()
    assert _boards() == after_faults
    print(f"\nstandings: {ROUNDS} kills, during {dict(landed)}; outbox rows before → after each kill: {progress}")


# --- Metric pulls -----------------------------------------------------------------------------------


def test_metric_pulls_killed_at_random_record_every_due_slot_exactly_once(workers, monkeypatch):
    rng = random.Random(SEED)
    people = _people(5)
    queued: list[tuple] = []
    monkeypatch.setattr(
        metrics_tasks.pull_metrics, "apply_async", lambda args, kwargs=None, **options: queued.append(tuple(args))
    )
    claimed: set[tuple] = set()
    progress = []  # snapshots each killed worker recorded before it died
    landed = Counter()  # which task each kill interrupted
    for round_number in range(ROUNDS):
        for n in range(60):
            published = timezone.now() - timedelta(hours=rng.randrange(1, 20), minutes=rng.randrange(60))
            make_published_share(user=people[n % 5], published_at=published, code=f"m{round_number:02d}{n:05d}")
        pulls_schedule()  # claims what is due, queues it on commit (captured above)
        for network, items in queued:
            claimed.update((share_id, slot) for share_id, slot in items)
            workers.queue(metrics_tasks.pull_metrics, network, items)
        queued.clear()
        before = MetricSnapshot.objects.count()
        landed[workers.kill_during(rng, within=PULL_SECONDS)] += 1
        progress.append(MetricSnapshot.objects.count() - before)
    workers.run_clean()
    assert workers.kills == ROUNDS
    # Every new share is due at once; an older one comes due again when its next hourly slot has passed.
    assert {share_id for share_id, _ in claimed} == set(ShareMetrics.objects.values_list("share_id", flat=True))
    assert len(claimed) >= ROUNDS * 60
    snapshots = list(MetricSnapshot.objects.values_list("share_id", "slot"))
    assert len(snapshots) == len(set(snapshots)) == len(claimed)
    assert set(snapshots) == {(share_id, datetime.fromisoformat(slot)) for share_id, slot in claimed}
    for tracked in ShareMetrics.objects.select_related("share"):
        assert (tracked.likes, tracked.reposts) == (_likes(tracked.share.published_url), 1)
    print(f"\nmetric pulls: {ROUNDS} kills, during {dict(landed)}; snapshots recorded before each kill: {progress}")
