"""Faults battery: tasks queued in a rolled-back transaction never run; two beats never double-run a job."""

import json
import signal
import subprocess
import sys
import time

import pytest
import redis
from django.db import transaction

from advocacy.celery import app
from leaderboard.services import points_rules_update
from leaderboard.tasks import queue_standings_apply

from .conftest import FAULTS_BASE_DIR, faults_subprocess_env

PROBE_TASK = "people.record_worker_heartbeat"


class Rollback(Exception):
    pass


@pytest.fixture
def sent(monkeypatch):
    """Every task message the app publishes (by name), instead of publishing it."""
    names: list[str] = []
    monkeypatch.setattr(app, "send_task", lambda name, *args, **kwargs: names.append(name))
    return names


@pytest.mark.django_db(transaction=True)
def test_a_task_queued_in_a_rolled_back_transaction_is_never_sent(sent, harper):
    with pytest.raises(Rollback), transaction.atomic():
        queue_standings_apply()
        points_rules_update(actor=harper, note="Hide people differently", hidden_display="omit")
        raise Rollback
    assert sent == []


@pytest.mark.django_db(transaction=True)
def test_the_same_tasks_are_sent_once_each_when_the_transaction_commits(sent, harper):
    with transaction.atomic():
        queue_standings_apply()
        points_rules_update(actor=harper, note="Hide people differently", hidden_display="omit")
        assert sent == []  # nothing leaves before the commit
    assert sorted(sent) == ["leaderboard.apply_standings", "leaderboard.rebuild_standings"]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_drops_only_its_own_tasks(sent):
    with transaction.atomic():
        queue_standings_apply()
        with pytest.raises(Rollback), transaction.atomic():
            queue_standings_apply()
            raise Rollback
    assert sent == ["leaderboard.apply_standings"]


# --- Two beat processes ------------------------------------------------------------------------

# One job every second, so a few seconds show whether one or two beats send it.
_BEAT = """
import pathlib, sys
from celery.signals import beat_init
from advocacy.celery import app
beat_init.connect(lambda **kwargs: pathlib.Path(sys.argv[1] + ".up").touch(), weak=False)
app.conf.beat_schedule = {{"faults-probe": {{"task": "{task}", "schedule": 1.0}}}}
app.start(["beat", "--schedule", sys.argv[1], "--loglevel", "WARNING"])
"""


def _probe_messages(client: redis.Redis) -> list[dict]:
    # Kombu pushes on the left: reversed, oldest first.
    messages = [json.loads(raw) for raw in reversed(client.lrange("celery", 0, -1))]
    return [message["headers"] for message in messages if message["headers"]["task"] == PROBE_TASK]


def _start_beat(tmp_path, name: str, environment: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", _BEAT.format(task=PROBE_TASK), str(tmp_path / f"{name}-schedule")],
        cwd=FAULTS_BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.slow
@pytest.mark.redis
def test_two_beat_processes_send_each_tick_once_and_the_second_takes_over_when_the_first_dies(faults_redis, tmp_path):
    environment = faults_subprocess_env(
        database_url=f"sqlite:///{tmp_path}/db.sqlite3",
        redis_url=faults_redis.url(),
        var_dir=tmp_path,
        CELERY_BEAT_LOCK_SECONDS=2,
    )
    client = redis.Redis.from_url(faults_redis.url())
    beats = [_start_beat(tmp_path, name, environment) for name in ("first", "second")]
    try:
        # Start-up takes seconds on a busy machine: watch only once both beats are ticking.
        deadline = time.monotonic() + 90
        while not all((tmp_path / f"{name}-schedule.up").exists() for name in ("first", "second")):
            assert time.monotonic() < deadline, "the beats did not start"
            assert all(beat.poll() is None for beat in beats), "a beat exited at start-up"
            time.sleep(0.2)
        already = len(_probe_messages(client))
        time.sleep(8)
        together = _probe_messages(client)
        watched = together[already:]
        senders = {headers["origin"] for headers in together}
        # One beat sends one probe a second (8 in the window, give or take a slow tick); two unlocked beats, twice that.
        assert 3 <= len(watched) <= 11, len(watched)
        assert len(senders) == 1, senders
        leader = next(beat for beat in beats if f"gen{beat.pid}@" in next(iter(senders)))
        survivor = next(beat for beat in beats if beat is not leader)
        leader.send_signal(signal.SIGKILL)
        leader.wait(5)
        # Read again once the leader is dead: it may have sent a tick between the first read and the kill.
        before_takeover = _probe_messages(client)
        assert {headers["origin"] for headers in before_takeover} == senders
        time.sleep(7)  # the lock lapses after 2 s; the survivor takes over on its next tick
        after = _probe_messages(client)[len(before_takeover) :]
        assert after, "nobody took over after the leader died"
        assert {headers["origin"].split("@", 1)[0] for headers in after} == {f"gen{survivor.pid}"}
        assert survivor.poll() is None
    finally:
        for beat in beats:
            if beat.poll() is None:
                beat.send_signal(signal.SIGTERM)
                beat.wait(10)
