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
from advocacy.settings.env import browsable_url

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

    env: dict[str, str] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, cwd=settings.BASE_DIR, env=self.env)  # noqa: S603 - ours
        self.started_at = time.monotonic()
        self.restart_at = None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def child_environment(*, addrport: str) -> dict[str, str]:
    """The children's environment: the same ADDRPORT (so SITE_URL follows an --addrport given here)
    and without Celery's warning about running as root, which a laptop or container first run
    cannot act on (the production worker runs as an unprivileged user, see the Dockerfile)."""
    environment = dict(os.environ, ADDRPORT=addrport)
    quiet_root = "ignore:You're running the worker with superuser privileges"
    environment["PYTHONWARNINGS"] = ",".join(filter(None, [environment.get("PYTHONWARNINGS"), quiet_root]))
    return environment


def console_lines(*, addrport: str) -> list[str]:
    """What a person needs to start: the address, the logins, and where the emails go."""
    lines = ["", f"Advocacy is running at {browsable_url(addrport, name='--addrport')}/"]
    for username, _display_name, role, _team in DEMO_LOGINS:
        lines.append(f"  {role.value:<12} log in as {username!r} with password {settings.DEMO_PASSWORD!r}")
    lines.append(f"  {demo_two_step_note()}")
    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        lines.append(f"Emails (invitations, policy changes, reminders) are written to {settings.EMAIL_FILE_PATH}/.")
    lines += ["Press Ctrl-C to stop the web server, the worker and beat.", ""]
    return lines


class Command(BaseCommand):
    help = "Start the web server, a Celery worker and Celery beat for local use; restart any that dies."

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default=settings.ADDRPORT)

    def handle(self, *args, addrport, **options):
        python = sys.executable
        celery = [python, "-m", "celery", "--quiet", "-A", "advocacy"]
        children = [
            Child("web", [python, "manage.py", "runserver", addrport, "--noreload"]),
            Child("worker", [*celery, "worker", "--loglevel=WARNING", "--concurrency=2"]),
            Child(
                "beat", [*celery, "beat", "--loglevel=WARNING", f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}"]
            ),
        ]
        environment = child_environment(addrport=addrport)
        for child in children:
            child.env = environment
            child.start()
        for line in console_lines(addrport=addrport):
            self.stdout.write(self.style.SUCCESS(line) if line.startswith("Advocacy is running") else line)

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
