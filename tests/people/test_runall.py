"""`manage.py runall` starts web, worker and beat, and starts a child again when it dies."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from advocacy.people.management.commands.runall import child_environment, console_lines
from tests.batteries.conftest import faults_free_port

BASE_DIR = Path(__file__).resolve().parents[2]


def _children(parent: int) -> dict[int, str]:
    """pid → command line of every live process whose parent is `parent`."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        # The command name in parentheses may hold spaces; the fields after it are fixed.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == parent and fields[0] != "Z":
            found[int(entry.name)] = cmdline
    return found


def _worker_pid(parent: int, *, other_than: int | None = None, seconds: float = 60) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for pid, cmdline in _children(parent).items():
            if re.search(r"celery .*\bworker\b", cmdline) and pid != other_than:
                return pid
        time.sleep(0.2)
    pytest.fail(f"no worker child of runall appeared within {seconds} s")


@pytest.mark.slow
def test_it_starts_a_killed_worker_again(tmp_path):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "CELERY_BROKER_URL")
    }
    environment.update(
        VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="advocacy.settings.base",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        LOG_LEVEL="WARNING",
    )
    log_path = tmp_path / "runall.log"
    with log_path.open("w") as log:
        runall = subprocess.Popen(
            [sys.executable, "manage.py", "runall", "--addrport", f"127.0.0.1:{faults_free_port()}"],
            cwd=BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        first = _worker_pid(runall.pid)
        os.kill(first, signal.SIGKILL)
        second = _worker_pid(runall.pid, other_than=first)
        assert runall.poll() is None, "runall stopped instead of restarting the worker"
        assert second != first
    finally:
        runall.send_signal(signal.SIGTERM)
        try:
            runall.wait(30)
        except subprocess.TimeoutExpired:
            runall.kill()
    output = log_path.read_text()
    assert "The worker process stopped (exit -9); starting it again in 1 s." in output, output[-2000:]
    assert "Restarting the worker process (restart 1)." in output
    assert "Stopped." in output
    # The console keeps to what a person needs: no broker or root warnings, the emails' folder named.
    assert "No hostname was supplied" not in output
    assert "superuser privileges" not in output
    assert f"Emails (invitations, policy changes, reminders) are written to {tmp_path / 'emails'}/." in output


def test_the_console_names_the_address_the_logins_and_the_emails_folder(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "emails"
    lines = console_lines(addrport="0.0.0.0:8001")
    assert lines[1] == "Advocacy is running at http://127.0.0.1:8001/"
    assert any("log in as 'employee'" in line for line in lines)
    assert f"Emails (invitations, policy changes, reminders) are written to {tmp_path / 'emails'}/." in lines
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert not any(line.startswith("Emails") for line in console_lines(addrport="8002"))
    assert console_lines(addrport="8002")[1] == "Advocacy is running at http://127.0.0.1:8002/"


def test_children_serve_and_link_to_the_same_address(monkeypatch):
    monkeypatch.setenv("PYTHONWARNINGS", "default")
    environment = child_environment(addrport="127.0.0.1:8005")
    assert environment["ADDRPORT"] == "127.0.0.1:8005"
    assert environment["PYTHONWARNINGS"] == "default,ignore:You're running the worker with superuser privileges"
