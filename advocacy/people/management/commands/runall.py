"""Run the web server, a Celery worker and Celery beat together; Ctrl-C stops all three.

A child that dies is started again, as compose's `restart: unless-stopped` does: after 1 s,
then 2, 4 … up to 30 s while it keeps dying, and from 1 s again once it has stayed up for a minute.
"""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand

from advocacy.people.demo import DEMO_LOGINS, demo_two_step_note

FIRST_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 30.0
# A child that stayed up this long counts as healthy again: its next death restarts it after 1 s.
STABLE_SECONDS = 60.0


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    backoff: float = FIRST_BACKOFF_SECONDS
    restarts: int = 0

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, cwd=settings.BASE_DIR)  # noqa: S603 - fixed commands of ours
        self.started_at = time.monotonic()
        self.restart_at = None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Command(BaseCommand):
    help = "Start the web server, a Celery worker and Celery beat for local use; restart any that dies."

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default=os.environ.get("ADDRPORT", "127.0.0.1:8000"))

    def handle(self, *args, addrport, **options):
        python = sys.executable
        children = [
            Child("web", [python, "manage.py", "runserver", addrport, "--noreload"]),
            Child("worker", [python, "-m", "celery", "-A", "advocacy", "worker", "--loglevel=INFO", "--concurrency=2"]),
            Child(
                "beat",
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "advocacy",
                    "beat",
                    "--loglevel=INFO",
                    f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}",
                ],
            ),
        ]
        for child in children:
            child.start()
        host = addrport if ":" in addrport else f"127.0.0.1:{addrport}"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Advocacy is running at http://{host}/"))
        for username, _display_name, role, _team in DEMO_LOGINS:
            self.stdout.write(f"  {role.value:<12} log in as {username!r} with password {settings.DEMO_PASSWORD!r}")
        self.stdout.write(f"  {demo_two_step_note()}")
        self.stdout.write("Press Ctrl-C to stop the web server, the worker and beat.")
        self.stdout.write("")

        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for child in children:
                    self._supervise(child)
                time.sleep(0.2)
        finally:
            for child in children:
                if child.running():
                    child.process.terminate()
            deadline = time.monotonic() + 10
            for child in children:
                if child.process is None:
                    continue
                try:
                    child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.process.kill()
        self.stdout.write("Stopped.")

    def _supervise(self, child: Child) -> None:
        now = time.monotonic()
        if child.restart_at is not None:
            if now >= child.restart_at:
                child.restarts += 1
                self.stderr.write(f"Restarting the {child.name} process (restart {child.restarts}).")
                child.start()
            return
        if child.running():
            return
        exit_code = child.process.returncode
        if now - child.started_at >= STABLE_SECONDS:
            child.backoff = FIRST_BACKOFF_SECONDS
        child.restart_at = now + child.backoff
        self.stderr.write(
            f"The {child.name} process stopped (exit {exit_code}); starting it again in {child.backoff:g} s."
        )
        child.backoff = min(child.backoff * 2, MAX_BACKOFF_SECONDS)
