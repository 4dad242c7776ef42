import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from advocacy.celery import app

BASE_DIR = Path(__file__).resolve().parents[2]


def test_it_reads_its_configuration_from_django_settings():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.task_time_limit > app.conf.task_soft_time_limit > 0


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, f"beat entry {name} names unknown task {entry['task']}"


@pytest.mark.slow
def test_a_real_worker_runs_tasks_over_the_filesystem_transport(tmp_path):
    """The embedded setup: no broker server, a real worker process, messages as files."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    environment.update(
        VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="advocacy.settings.base", DATABASE_URL=f"sqlite:///{tmp_path}/db"
    )
    send = (
        "import django; django.setup();"
        "from advocacy.people.tasks import record_worker_heartbeat; record_worker_heartbeat.delay()"
    )
    subprocess.run([sys.executable, "-c", send], cwd=BASE_DIR, env=environment, check=True, timeout=60)
    assert list((tmp_path / "celery" / "queue").iterdir()), "the message should wait as a file"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "advocacy", "worker", "--pool=solo", "--loglevel=WARNING"],
        cwd=BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    check = (
        "import django; django.setup();from advocacy.people.health import worker_last_seen; print(worker_last_seen())"
    )
    try:
        deadline = time.monotonic() + 45
        seen = "None"
        while time.monotonic() < deadline and seen == "None":
            time.sleep(1)
            seen = subprocess.run(
                [sys.executable, "-c", check], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=60
            ).stdout.strip()
        assert seen != "None", "the worker did not run the heartbeat task"
    finally:
        worker.terminate()
        worker.wait(timeout=30)
