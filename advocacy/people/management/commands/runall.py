"""Run the web server, a Celery worker and Celery beat together; Ctrl-C stops all three."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from advocacy.people.demo import DEMO_LOGINS


class Command(BaseCommand):
    help = "Start the web server, a Celery worker and Celery beat for local use."

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default=os.environ.get("ADDRPORT", "127.0.0.1:8000"))

    def handle(self, *args, addrport, **options):
        python = sys.executable
        commands = {
            "web": [python, "manage.py", "runserver", addrport, "--noreload"],
            "worker": [python, "-m", "celery", "-A", "advocacy", "worker", "--loglevel=INFO", "--concurrency=2"],
            "beat": [
                python,
                "-m",
                "celery",
                "-A",
                "advocacy",
                "beat",
                "--loglevel=INFO",
                f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}",
            ],
        }
        processes = {
            name: subprocess.Popen(command, cwd=settings.BASE_DIR)  # noqa: S603 - fixed commands of ours
            for name, command in commands.items()
        }
        host = addrport if ":" in addrport else f"127.0.0.1:{addrport}"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Advocacy is running at http://{host}/"))
        for username, _display_name, role, _team in DEMO_LOGINS:
            self.stdout.write(f"  {role.value:<12} log in as {username!r} with password {settings.DEMO_PASSWORD!r}")
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
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(f"The {name} process stopped (exit {process.returncode}); stopping the rest.")
                        stopping = True
                time.sleep(0.5)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            deadline = time.monotonic() + 10
            for process in processes.values():
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
        self.stdout.write("Stopped.")
