"""Faults battery: PostgreSQL goes away under a running web server and comes back.

The server is a real gunicorn process whose DATABASE_URL goes through a TCP proxy this test
cuts (every open connection reset, new ones refused) and restores; the shared PostgreSQL
server itself is never touched. The web tier must say 503 naming the database while it is
gone and answer 200 again once it is back, without a restart.
"""

import signal
import subprocess
import sys
import time

import pytest
import requests
from django.db import connection

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
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def test_healthz_says_503_naming_the_database_while_it_is_gone_and_recovers_without_a_restart(
    postgres_only, faults_redis, tmp_path
):
    db = connection.settings_dict
    proxy = FaultsTcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    proxy.restore()
    port = faults_free_port()
    environment = faults_subprocess_env(
        database_url=faults_database_url(port=proxy.port),
        redis_url=faults_redis.url(),
        var_dir=tmp_path,
        HEALTHZ_BROKER_TIMEOUT=1,
    )
    # One worker with threads: the same process, and its kept-alive connections, serve every request.
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "advocacy.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--threads", "4", "--log-level", "warning"],
        cwd=FAULTS_BASE_DIR, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert _wait_for(port, 200).status_code == 200
        for _ in range(OUTAGES):
            assert _healthz(port).json()["database"] == "ok"  # a live, kept connection is about to break
            proxy.cut()
            response = _wait_for(port, 503)
            assert response.status_code == 503
            body = response.json()
            assert body["status"] == "degraded"
            assert body["database"].startswith("down: ")
            assert body["cache"] == body["broker"] == "ok"
            assert _healthz(port).status_code == 503  # still down, still answering
            proxy.restore()
            response = _wait_for(port, 200)
            assert response.status_code == 200, response.text
            assert response.json()["database"] == "ok"
        assert server.poll() is None, "the web server died"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)
        proxy.cut()
