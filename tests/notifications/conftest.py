"""Eager Celery, a local HTTP server standing in for Slack and Teams, and a log recorder (caplog is off here)."""

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from advocacy.people.roles import Role
from tests.factories import UserFactory


@pytest.fixture
def quinn(db):
    """A second comms admin, so "every comms admin" means more than one person."""
    return UserFactory(username="quinn", display_name="Quinn Curator", roles=[Role.EMPLOYEE, Role.COMMS_ADMIN])


class WebhookServer:
    """Answers POSTs with the next planned reply: a status code, or "hang" (no answer before the timeout)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.plan: list = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                server.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "json": json.loads(body or b"null")}
                )
                reply = server.plan.pop(0) if server.plan else 200
                if reply == "hang":
                    server.release.wait(5)
                    return
                self.send_response(reply)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if reply < 300 else b"invalid_payload")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def webhook_server(settings):
    """A local server configured as both the Slack and the Teams webhook, with fast retries and timeout."""
    with WebhookServer() as server:
        settings.NOTIFY_SLACK_WEBHOOK_URL = server.url("/services/T000/B000/slack-secret")
        settings.NOTIFY_TEAMS_WEBHOOK_URL = server.url("/workflows/teams-secret/triggers/manual/paths/invoke")
        settings.NOTIFY_WEBHOOK_TIMEOUT = 1
        settings.NOTIFY_MAX_RETRIES = 2
        yield server


class _Recorder(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)

    def messages(self, level=logging.WARNING) -> list[str]:
        return [record.getMessage() for record in self.records if record.levelno >= level]


@pytest.fixture
def notification_logs():
    """What the notifications app logged (caplog is unavailable under -p no:logging)."""
    recorder = _Recorder()
    logger = logging.getLogger("notifications")
    previous = logger.level
    logger.addHandler(recorder)
    logger.setLevel(logging.INFO)
    yield recorder
    logger.removeHandler(recorder)
    logger.setLevel(previous)


def wait_for(predicate, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


@pytest.fixture
def vapid(settings):
    """Web push switched on with a fresh VAPID key pair."""
    from advocacy.vapid import vapid_keys_generate

    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = vapid_keys_generate()
    settings.VAPID_SUBJECT = "mailto:it@example.com"
    settings.PUSH_TIMEOUT = 2
    settings.NOTIFY_MAX_RETRIES = 1
    return settings


@pytest.fixture
def push_endpoint():
    from .push_helpers import PushEndpoint

    with PushEndpoint() as endpoint:
        yield endpoint
