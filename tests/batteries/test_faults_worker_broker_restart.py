"""Faults battery: a real Celery worker keeps working when Redis restarts under a running task.

Before advocacy/celery.py turned gossip, mingle and remote control off, the worker died on the
first or second restart with ``Unrecoverable error: AttributeError('NoneType' object has no
attribute 'hostname')`` right after "Restoring 1 unacknowledged message(s)" (kombu 5.7's Redis
transport closing a channel that still had fanout queues). The worker here is the production
command (`celery -A advocacy worker`, prefork, two processes) on this test's own Redis, which is
SIGKILLed and restarted while each round's task sleeps.
"""

import subprocess
import sys
import time

import pytest
import redis

from advocacy.celery import app

from .conftest import FAULTS_BASE_DIR, FAULTS_FULL, faults_subprocess_env

pytestmark = [pytest.mark.slow]

ROUNDS = 10 if FAULTS_FULL else 3
_WORKER = """
import time

import redis

from advocacy.celery import app

_broker = redis.Redis.from_url(app.conf.broker_url)


@app.task(name="faults.sleep_through_restart")
def sleep_through_restart(round_number):
    _broker.set(f"started:{round_number}", 1)
    time.sleep(2)
    _broker.set(f"done:{round_number}", 1)


app.worker_main(["worker", "--loglevel=INFO", "--concurrency=2"])
"""


def _wait_for(predicate, *, seconds: float, what: str, worker) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert worker.poll() is None, f"the worker died waiting for {what}"
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def _quietly(call):
    try:
        return call()
    except redis.ConnectionError:
        return None


def test_it_survives_redis_restarting_while_a_task_runs(faults_redis, tmp_path):
    log_path = tmp_path / "worker.log"
    environment = faults_subprocess_env(
        database_url=f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        redis_url=faults_redis.url(),
        var_dir=tmp_path,
        LOG_LEVEL="INFO",
    )
    client = redis.Redis.from_url(faults_redis.url(), socket_timeout=2)
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-c", _WORKER], cwd=FAULTS_BASE_DIR, env=environment, stdout=log, stderr=log
        )
    try:
        for round_number in range(ROUNDS):
            with app.connection_for_write(faults_redis.url()) as connection:
                app.send_task("faults.sleep_through_restart", (round_number,), connection=connection)
            _wait_for(
                lambda n=round_number: _quietly(lambda: client.exists(f"started:{n}")),
                seconds=60,
                what=f"round {round_number} to start",
                worker=worker,
            )
            faults_redis.restart()
            # The message comes back from the unacknowledged set and runs to the end.
            _wait_for(
                lambda n=round_number: _quietly(lambda: client.exists(f"done:{n}")),
                seconds=60,
                what=f"round {round_number} to finish after the restart",
                worker=worker,
            )
        assert worker.poll() is None, "the worker died"
    finally:
        worker.terminate()
        worker.wait(30)
    output = log_path.read_text()
    assert "Unrecoverable error" not in output, output[-3000:]
    assert faults_redis.restarts == ROUNDS
    print(f"\n{ROUNDS} Redis restarts under a running task; the worker lived through all of them")
