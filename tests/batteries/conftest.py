"""Fixtures shared by the issue 10 batteries (each battery adds its own, with distinct names)."""


# --- Faults battery (test_faults_*.py): throwaway servers a test may kill, and subprocess settings ---

import contextlib
import os as _faults_os
import signal as _faults_signal
import socket as _faults_socket
import subprocess as _faults_subprocess
import threading as _faults_threading
import time as _faults_time
from pathlib import Path as _FaultsPath

import pytest as _faults_pytest

FAULTS_BASE_DIR = _FaultsPath(__file__).resolve().parents[2]
FAULTS_FULL = _faults_os.environ.get("BATTERY_FULL") == "1"


def faults_free_port() -> int:
    with _faults_socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def faults_wait_for_port(port: int, *, timeout: float = 10.0) -> None:
    deadline = _faults_time.monotonic() + timeout
    while _faults_time.monotonic() < deadline:
        try:
            _faults_socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            _faults_time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


class FaultsRedisServer:
    """A private redis-server this test may SIGKILL and restart on the same port.

    It keeps an append-only file synced on every write, as a production Redis holding the
    click stream must: a killed Redis comes back with everything it acknowledged.
    """

    def __init__(self, directory: _FaultsPath):
        self.directory = directory
        self.port = faults_free_port()
        self.process = None
        self.restarts = 0

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process = _faults_subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
             "--appendfsync", "always", "--dir", str(self.directory)],
            stdout=_faults_subprocess.DEVNULL, stderr=_faults_subprocess.DEVNULL,
        )  # fmt: skip
        faults_wait_for_port(self.port)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(_faults_signal.SIGKILL)
            self.process.wait(5)

    def restart(self) -> None:
        self.kill()
        self.start()
        self.restarts += 1


@_faults_pytest.fixture
def faults_redis(tmp_path):
    import shutil

    if not shutil.which("redis-server"):
        from tests.conftest import missing_service

        missing_service("redis-server is not installed")
    server = FaultsRedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


class FaultsTcpProxy:
    """Forwards 127.0.0.1:<port> to a target; `cut()` drops every connection and refuses new ones."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = faults_free_port()
        self._listener = None
        self._connections: list = []
        self._lock = _faults_threading.Lock()

    def restore(self) -> None:
        listener = _faults_socket.socket()
        listener.setsockopt(_faults_socket.SOL_SOCKET, _faults_socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        _faults_threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        if self._listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone leaves the port listening.
            with contextlib.suppress(OSError):
                self._listener.shutdown(_faults_socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            for sock in self._connections:
                with contextlib.suppress(OSError):
                    sock.shutdown(_faults_socket.SHUT_RDWR)
                sock.close()
            self._connections.clear()

    def _accept(self, listener) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = _faults_socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                _faults_threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(_faults_socket.SHUT_RDWR)


def faults_database_url(*, port: int | None = None) -> str:
    """The test database as a DATABASE_URL a subprocess can open (PostgreSQL only)."""
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{port or db['PORT'] or 5432}/{db['NAME']}"


def faults_subprocess_env(*, database_url: str, redis_url: str, var_dir, **extra) -> dict:
    """Environment for a worker, beat or web subprocess that sees this test's database and Redis."""
    environment = {
        key: value
        for key, value in _faults_os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="advocacy.settings.base",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        VAR_DIR=str(var_dir),
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(FAULTS_BASE_DIR),
    )
    environment.update({key: str(value) for key, value in extra.items()})
    return environment
