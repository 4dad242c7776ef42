"""The single-beat lock: a second beat takes over within CELERY_BEAT_LOCK_SECONDS of the leader's death."""

import json
import shutil
import signal
import subprocess
import sys
import time

import pytest
import redis

from advocacy.beat import LOCK_KEY, BeatLock
from tests.batteries.conftest import FAULTS_BASE_DIR, FaultsRedisServer, faults_subprocess_env
from tests.conftest import missing_service

LOCK_SECONDS = 3
PROBE_TASK = "people.record_worker_heartbeat"
_BEAT = """
import sys
from advocacy.celery import app
app.conf.beat_schedule = {"probe": {"task": "people.record_worker_heartbeat", "schedule": 0.5}}
app.start(["beat", "--schedule", sys.argv[1], "--loglevel", "WARNING"])
"""


def test_the_worst_case_takeover_fits_in_the_lock_seconds():
    lock = BeatLock(seconds=30)
    # Dead right after a renewal: the key lapses after ttl; a follower may ask up to poll_every later.
    assert lock.ttl + lock.poll_every <= 30
    assert lock.renew_every * 3 <= lock.ttl, "the leader renews several times per key lifetime"


@pytest.fixture
def beat_redis(tmp_path):
    if not shutil.which("redis-server"):
        missing_service("redis-server is not installed")
    server = FaultsRedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


def _senders(client) -> list[tuple[float, str]]:
    return [json.loads(raw)["headers"]["origin"] for raw in reversed(client.lrange("celery", 0, -1))]


@pytest.mark.slow
def test_a_follower_takes_over_within_the_lock_seconds_when_the_leader_is_killed_after_renewing(beat_redis, tmp_path):
    environment = faults_subprocess_env(
        database_url=f"sqlite:///{tmp_path}/db.sqlite3",
        redis_url=beat_redis.url(),
        var_dir=tmp_path,
        CELERY_BEAT_LOCK_SECONDS=LOCK_SECONDS,
    )
    client = redis.Redis.from_url(beat_redis.url())
    beats = [
        subprocess.Popen(
            [sys.executable, "-c", _BEAT, str(tmp_path / f"{name}-schedule")],
            cwd=FAULTS_BASE_DIR,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name in ("first", "second")
    ]
    try:
        deadline = time.monotonic() + 60
        while not client.llen("celery"):
            assert time.monotonic() < deadline, "no beat ever sent the probe"
            time.sleep(0.05)
        leader_origin = _senders(client)[0]
        leader = next(beat for beat in beats if f"gen{beat.pid}@" in leader_origin)
        survivor = next(beat for beat in beats if beat is not leader)
        # Kill the leader just after it renewed, the worst moment for the old 30 s promise.
        last = client.pttl(LOCK_KEY)
        while (now := client.pttl(LOCK_KEY)) <= last:
            last = now
        leader.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        leader.wait(5)
        sent_before = client.llen("celery")
        while True:
            origins = _senders(client)[sent_before:]
            if any(f"gen{survivor.pid}@" in origin for origin in origins):
                break
            assert time.monotonic() - killed_at < 3 * LOCK_SECONDS, "nobody took over"
            time.sleep(0.02)
        took = time.monotonic() - killed_at
        print(f"\ntakeover after {took:.2f} s with CELERY_BEAT_LOCK_SECONDS={LOCK_SECONDS}")
        assert took <= LOCK_SECONDS
    finally:
        for beat in beats:
            if beat.poll() is None:
                beat.send_signal(signal.SIGTERM)
                beat.wait(10)
