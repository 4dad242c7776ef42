"""Faults battery: PostgreSQL goes away under a running web server and comes back.

The server is a real gunicorn process whose DATABASE_URL goes through a TCP proxy this test
cuts (every open connection reset, new ones refused) and restores; the shared PostgreSQL
server itself is never touched. The web tier must say 503 naming the database while it is
gone and answer 200 again once it is back, without a restart. Tracked links keep working from
the cache while it is gone; one the cache has never seen answers a plain 503 with Retry-After
(never a 500), and opens again once the database is back.
"""

import signal
import subprocess
import sys
import time

import pytest
import requests
from django.db import connection

from tests.sharing.conftest import HUMAN_UA, make_post, make_share

from .conftest import FAULTS_BASE_DIR, FaultsTcpProxy, faults_database_url, faults_free_port, faults_subprocess_env

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

OUTAGES = 3


def _healthz(port: int) -> requests.Response:
    return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=15)


def _wait_for(port: int, status: int, *, timeout: float = 20.0) -> requests.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            response = _healthz(port)
            if response.status_code == status or time.monotonic() > deadline:
                return response
        except (requests.ConnectionError, requests.Timeout):
            # A booting worker accepts the connection before it can answer (slow on a busy machine).
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def _open_link(port: int, code: str, visitor: int) -> requests.Response:
    # A new visitor (own forwarded address) each time, so no rate limit or daily de-duplication interferes.
    headers = {"User-Agent": HUMAN_UA, "X-Forwarded-For": f"198.51.100.{visitor}"}
    return requests.get(f"http://127.0.0.1:{port}/s/{code}", headers=headers, allow_redirects=False, timeout=15)


def test_healthz_says_503_naming_the_database_while_it_is_gone_and_recovers_without_a_restart(
    postgres_only, faults_redis, tmp_path, alice
):
    cached = make_share(
        user=alice, post=make_post(slug="outage-seen", destination_url="https://example.com/seen"), code="OutSeen01"
    )
    unseen = [
        make_share(user=alice, post=make_post(slug=f"outage-unseen-{n}"), code=f"OutNew{n:03d}") for n in range(OUTAGES)
    ]
    db = connection.settings_dict
    proxy = FaultsTcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    proxy.restore()
    port = faults_free_port()
    environment = faults_subprocess_env(
        database_url=faults_database_url(port=proxy.port),
        redis_url=faults_redis.url(),
        var_dir=tmp_path,
        HEALTHZ_BROKER_TIMEOUT=1,
        TRUSTED_PROXY_COUNT=1,
    )
    # One worker with threads: the same process, and its kept-alive connections, serve every request.
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "advocacy.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--threads", "4", "--log-level", "warning"],
        cwd=FAULTS_BASE_DIR, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert _wait_for(port, 200, timeout=120).status_code == 200
        visitors = iter(range(1, 250))
        destination = _open_link(port, cached.code, next(visitors)).headers["Location"]
        assert destination.startswith("https://example.com/seen?")
        for outage in range(OUTAGES):
            assert _healthz(port).json()["database"] == "ok"  # a live, kept connection is about to break
            proxy.cut()
            response = _wait_for(port, 503)
            assert response.status_code == 503
            body = response.json()
            assert body["status"] == "degraded"
            assert body["database"].startswith("down: ")
            assert body["cache"] == body["broker"] == "ok"
            assert _healthz(port).status_code == 503  # still down, still answering
            seen = _open_link(port, cached.code, next(visitors))
            assert (seen.status_code, seen.headers.get("Location")) == (302, destination)
            never_seen = _open_link(port, unseen[outage].code, next(visitors))
            assert never_seen.status_code == 503, never_seen.text
            assert int(never_seen.headers["Retry-After"]) > 0
            assert "try again" in never_seen.text
            proxy.restore()
            response = _wait_for(port, 200)
            assert response.status_code == 200, response.text
            assert response.json()["database"] == "ok"
            assert _open_link(port, unseen[outage].code, next(visitors)).status_code == 302
        assert server.poll() is None, "the web server died"
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
        proxy.cut()
