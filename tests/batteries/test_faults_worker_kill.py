"""Faults battery: a real Celery worker is SIGKILLed at random moments while it works.

Each area runs ROUNDS rounds: new work arrives, its task is queued on this test's own Redis,
a `celery worker --pool=solo` process starts and is SIGKILLed after a seeded random delay
(during start-up, mid-batch or between batches). Then one clean worker runs until the queue is
empty, and the result must equal what a clean run computes: no row lost, none twice.

The worker shares this test's PostgreSQL database (a transactional test, so it sees committed
rows) and runs with a 2-second broker visibility timeout, so a message a killed worker held is
delivered again within seconds instead of an hour. ROUNDS is 3 by default and 20 with
BATTERY_FULL=1 (see docs/battery-faults.md).
"""

import random
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta

import pytest
import redis
from django.utils import timezone

from advocacy.celery import app
from leaderboard import standings
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

_WORKER = """
from advocacy.celery import app
app.conf.broker_transport_options = {"visibility_timeout": 2}
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

    def kill_after(self, seconds: float) -> None:
        worker = self._start()
        time.sleep(seconds)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        self.kills += 1

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
    for _ in range(ROUNDS):
        now = time.time()
        pipe = stream.pipeline(transaction=False)
        for _ in range(3000):
            share_id = shares[rng.randrange(len(shares))].pk
            kind = rng.choice(["human", "human", "human", "duplicate", "bot"])
            expected[share_id] += kind == "human"
            fields = {"e": uuid.UUID(int=rng.getrandbits(128)).hex, "s": share_id, "v": "v", "k": kind, "t": now}
            pipe.xadd(clickstream.STREAM_KEY, fields)
        pipe.execute()
        workers.queue(drain_clicks)
        before = Click.objects.count()
        workers.kill_after(rng.uniform(1.0, 5.0))
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
    print(f"\nclick drains: {ROUNDS} kills; rows written before each kill: {progress}")


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
        workers.kill_after(rng.uniform(1.0, 5.0))
    workers.queue(apply_standings)
    workers.run_clean()
    assert workers.kills == ROUNDS
    assert PendingPointEvent.objects.count() == 0
    assert PointEvent.objects.count() > ROUNDS * 40
    after_faults = _boards()
    Standing.objects.all().delete()
    StandingCount.objects.all().delete()
    TeamStanding.objects.all().delete()
    standings.standings_rebuild()
    assert _boards() == after_faults


# --- Metric pulls -----------------------------------------------------------------------------------


def test_metric_pulls_killed_at_random_record_every_due_slot_exactly_once(workers, monkeypatch):
    rng = random.Random(SEED)
    people = _people(5)
    queued: list[tuple] = []
    monkeypatch.setattr(
        metrics_tasks.pull_metrics, "apply_async", lambda args, kwargs=None, **options: queued.append(tuple(args))
    )
    claimed: set[tuple] = set()
    for round_number in range(ROUNDS):
        for n in range(60):
            published = timezone.now() - timedelta(hours=rng.randrange(1, 20), minutes=rng.randrange(60))
            make_published_share(user=people[n % 5], published_at=published, code=f"m{round_number:02d}{n:05d}")
        pulls_schedule()  # claims what is due, queues it on commit (captured above)
        for network, items in queued:
            claimed.update((share_id, slot) for share_id, slot in items)
            workers.queue(metrics_tasks.pull_metrics, network, items)
        queued.clear()
        workers.kill_after(rng.uniform(1.0, 5.0))
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
