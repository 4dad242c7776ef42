"""Scale battery: the multi-node deployment on one machine, under load and under faults.

nginx (deploy/nginx.conf's log format, X-Forwarded-For set by the proxy) in front of two gunicorn
instances (deploy/gunicorn.conf.py, two workers each), two Celery workers and one beat, all real
processes on free loopback ports, with this test's own Redis (append-only file, every write synced)
and the test's PostgreSQL database. Visitors are distinct loopback source addresses (127.x.y.z), so
the proxy sees each as its own client, as it would see people on the internet.

First load: CLICKS clicks over LINKS links. Second load: FAULT_CLICKS more while Redis is restarted
twice and a worker is SIGKILLed in the middle of a drain; the test starts the killed worker again
(playing compose's `restart: unless-stopped`). At the end, link by link, the counted clicks equal the
302s the visitors got, the ledger's click points equal the rules applied to them, both workers are
alive and neither access log holds a visitor's address. See docs/battery-scale.md.
"""

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
import redis
from django.db.models import Sum

from advocacy.celery import app
from leaderboard.models import PointEvent, PointsRules
from sharing.models import Share
from tests.factories import UserFactory
from tests.sharing.conftest import HUMAN_UA, make_post, make_share

from .conftest import FAULTS_BASE_DIR, FAULTS_FULL, faults_database_url, faults_subprocess_env
from .stack import Gunicorn, Nginx, nginx_binary

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

LINKS = 2_000 if FAULTS_FULL else 500
# SCALE_CLICKS / SCALE_FAULT_CLICKS override the loads for a quick look (docs/battery-scale.md).
CLICKS = int(os.environ.get("SCALE_CLICKS", 100_000 if FAULTS_FULL else 20_000))
FAULT_CLICKS = int(os.environ.get("SCALE_FAULT_CLICKS", 20_000 if FAULTS_FULL else 5_000))
CLIENT_THREADS = 32
RUNNING_KEY = "scale:running:{pid}"

_WORKER = """
import os, sys
import redis
from celery.signals import task_postrun, task_prerun
from advocacy.celery import app

_broker = redis.Redis.from_url(app.conf.broker_url, socket_timeout=1, socket_connect_timeout=1)
_key = "scale:running:%d" % os.getpid()

def _mark(value):
    try:
        _broker.set(_key, value, ex=600) if value else _broker.delete(_key)
    except redis.RedisError:
        pass

task_prerun.connect(lambda task=None, **_: _mark(task.name), weak=False)
task_postrun.connect(lambda **_: _mark(""), weak=False)
app.worker_main(["worker", "--loglevel=INFO", "--concurrency=1", "-n", sys.argv[1]])
"""


def _visitor(number: int) -> str:
    # 127.0.0.1 is the proxy's own side; every visitor gets another loopback source address.
    return f"127.{10 + number // 62_500}.{number // 250 % 250 + 1}.{number % 250 + 1}"


class Load:
    """Sends clicks from distinct visitors through the proxy; keeps the status and latency of each."""

    def __init__(self, *, port: int, codes: list[str], first_visitor: int, clicks: int):
        self.port, self.codes, self.first, self.clicks = port, codes, first_visitor, clicks
        self.statuses: Counter = Counter()
        self.answered: Counter = Counter()  # link code -> 302s
        self.latencies: list[float] = []
        self.errors: Counter = Counter()
        self.sent = 0
        self._lock = threading.Lock()
        self._next = 0

    def _take(self) -> int | None:
        with self._lock:
            if self._next >= self.clicks:
                return None
            self._next += 1
            return self._next - 1

    def _click(self, number: int) -> None:
        code = self.codes[number % len(self.codes)]
        visitor = _visitor(self.first + number)
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60, source_address=(visitor, 0))
        try:
            connection.request("GET", f"/s/{code}", headers={"User-Agent": HUMAN_UA, "Host": "127.0.0.1"})
            status = connection.getresponse().status
        except OSError as exc:
            with self._lock:
                self.errors[type(exc).__name__] += 1
            return
        finally:
            connection.close()
        elapsed = time.perf_counter() - started
        with self._lock:
            self.statuses[status] += 1
            self.latencies.append(elapsed)
            self.sent += 1
            if status == 302:
                self.answered[code] += 1

    def _run(self) -> None:
        while (number := self._take()) is not None:
            self._click(number)

    def run(self) -> float:
        started = time.monotonic()
        threads = [threading.Thread(target=self._run, daemon=True) for _ in range(CLIENT_THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.monotonic() - started

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000 if ordered else 0.0


class Workers:
    def __init__(self, *, environment: dict, directory):
        self.environment, self.directory = environment, directory
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str) -> None:
        log = (self.directory / f"{name}.log").open("a")
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-c", _WORKER, f"{name}@scale"],
            cwd=FAULTS_BASE_DIR,
            env=self.environment,
            stdout=log,
            stderr=log,
        )

    def alive(self) -> dict[str, bool]:
        return {name: process.poll() is None for name, process in self.processes.items()}

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


def _stack_requirements() -> None:
    import shutil

    from tests.conftest import missing_service

    missing = [
        name for name, found in (("nginx", nginx_binary()), ("redis-server", shutil.which("redis-server"))) if not found
    ]
    if missing:
        missing_service(f"the scale battery needs {' and '.join(missing)} (apt-get install nginx redis-server)")


def _warm_up(port: int, *, answers: int, timeout: float = 120) -> None:
    """Wait until the proxy answers /healthz `answers` times in a row (every gunicorn worker has booted)."""
    deadline, good = time.monotonic() + timeout, 0
    while good < answers:
        assert time.monotonic() < deadline, "the web tier never answered /healthz"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            good = good + 1 if connection.getresponse().status == 200 else 0
        except OSError:
            good = 0
            time.sleep(0.2)
        finally:
            connection.close()


def _counted() -> dict[str, int]:
    return dict(Share.objects.filter(code__startswith="Scl").values_list("code", "human_clicks"))


def _wait_until_counted(expected: Counter, *, timeout: float) -> float:
    started = time.monotonic()
    total = sum(expected.values())
    while time.monotonic() - started < timeout:
        if sum(_counted().values()) >= total:
            return time.monotonic() - started
        time.sleep(0.5)
    return time.monotonic() - started


def _ledger_clicks() -> dict[int, tuple[int, int]]:
    rows = PointEvent.objects.filter(kind=PointEvent.Kind.CLICKS).values("share_ref")
    return {
        row["share_ref"]: (row["quantity"], row["points"])
        for row in rows.annotate(quantity=Sum("quantity"), points=Sum("points"))
    }


def _wait_for_ledger(broker: str, shares: dict[str, int], counted: dict[str, int], *, timeout: float) -> dict:
    with app.connection_for_write(broker) as connection:
        app.send_task("leaderboard.scan_sources", connection=connection)
    deadline = time.monotonic() + timeout
    while True:
        ledger = _ledger_clicks()
        if all(ledger.get(shares[code], (0, 0))[0] >= clicks for code, clicks in counted.items()):
            return ledger
        if time.monotonic() > deadline:
            return ledger
        time.sleep(1)


_DRAIN_LINE = re.compile(r"Task sharing\.drain_clicks\[[^\]]+\] succeeded in ([\d.]+)s: (\d+)")


def _drain_rate(directory) -> str:
    """Clicks per second of drain_clicks runs that moved something, from the workers' own log lines."""
    runs = [
        (float(seconds), int(clicks))
        for log in directory.glob("worker-*.log")
        for seconds, clicks in _DRAIN_LINE.findall(log.read_text())
        if int(clicks)
    ]
    if not runs:
        return "drain: no run logged"
    seconds, clicks = sum(run[0] for run in runs), sum(run[1] for run in runs)
    return (
        f"drain: {len(runs)} runs moved {clicks} clicks in {seconds:.1f} s of task time"
        f" ({clicks / seconds:.0f} clicks/s per worker)"
    )


def _figures(name: str, load: Load, seconds: float, lag: float, counted: dict[str, int], expected: Counter) -> str:
    lost = sum(max(0, expected[code] - counted.get(code, 0)) for code in expected)
    duplicated = sum(max(0, counted.get(code, 0) - expected[code]) for code in counted)
    statuses = ", ".join(f"{status}: {count}" for status, count in sorted(load.statuses.items()))
    return (
        f"{name}: {load.sent} requests in {seconds:.1f} s ({load.sent / seconds:.0f}/s) [{statuses}]"
        f"{' errors ' + str(dict(load.errors)) if load.errors else ''}; p50 {load.percentile(0.5):.1f} ms,"
        f" p99 {load.percentile(0.99):.1f} ms; lost {lost}, duplicated {duplicated}; drain lag {lag:.1f} s"
    )


def test_two_web_nodes_two_workers_and_a_beat_count_every_click_through_faults(postgres_only, faults_redis, tmp_path):
    _stack_requirements()
    PointsRules.objects.create(version=1, click_cap_per_share_per_day=10**6, note="scale battery: no cap")
    people = [UserFactory(username=f"scale{n}") for n in range(25)]
    posts = [make_post(slug=f"scale-{n}") for n in range(LINKS // len(people) + 1)]
    shares = {}
    for number in range(LINKS):
        code = f"Scl{number:06d}"
        share = make_share(user=people[number % len(people)], post=posts[number // len(people)], code=code)
        shares[code] = share.pk
    codes = list(shares)
    broker = faults_redis.url()
    environment = faults_subprocess_env(
        database_url=faults_database_url(),
        redis_url=broker,
        var_dir=tmp_path,
        DEBUG="0",
        TRUSTED_PROXY_COUNT="1",
        ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    webs = [Gunicorn(environment=environment, directory=tmp_path, name=f"gunicorn-{n}") for n in (1, 2)]
    nginx = Nginx(upstream_ports=[web.port for web in webs], directory=tmp_path)
    workers = Workers(environment=environment, directory=tmp_path)
    for name in ("worker-1", "worker-2"):
        workers.start(name)
    beat_log = (tmp_path / "beat.log").open("w")
    beat = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "advocacy", "beat", f"--schedule={tmp_path / 'beat-schedule'}",
         "--loglevel=WARNING"],
        cwd=FAULTS_BASE_DIR, env=environment, stdout=beat_log, stderr=beat_log,
    )  # fmt: skip
    report = []
    try:
        _warm_up(nginx.port, answers=20)
        # --- First load: no faults.
        first = Load(port=nginx.port, codes=codes, first_visitor=0, clicks=CLICKS)
        seconds = first.run()
        lag = _wait_until_counted(first.answered, timeout=120)
        counted = _counted()
        report.append(_figures("load", first, seconds, lag, counted, first.answered))
        assert first.statuses[302] == CLICKS, dict(first.statuses)
        assert counted == {code: first.answered[code] for code in codes}

        # --- Second load: Redis restarted twice, a worker SIGKILLed in the middle of a drain.
        second = Load(port=nginx.port, codes=codes, first_visitor=CLICKS, clicks=FAULT_CLICKS)
        events = []
        client = redis.Redis.from_url(broker, socket_timeout=1, socket_connect_timeout=1)

        def faults():
            def progress(fraction):
                while (
                    second.sent < FAULT_CLICKS * fraction and second.sent + sum(second.errors.values()) < FAULT_CLICKS
                ):
                    time.sleep(0.05)

            progress(0.2)
            faults_redis.restart()
            events.append(f"Redis restarted at {second.sent} clicks")
            progress(0.4)
            deadline = time.monotonic() + 30
            victim = None
            while victim is None and time.monotonic() < deadline:
                for name, process in workers.processes.items():
                    try:
                        running = client.get(RUNNING_KEY.format(pid=process.pid))
                    except redis.RedisError:
                        running = None
                    if running == b"sharing.drain_clicks":
                        victim = name
                        break
                time.sleep(0.01)
            mid_drain = victim is not None
            victim = victim or "worker-1"
            workers.processes[victim].send_signal(signal.SIGKILL)
            workers.processes[victim].wait(10)
            events.append(f"{victim} SIGKILLed at {second.sent} clicks (mid-drain: {mid_drain})")
            time.sleep(1)
            workers.start(victim)  # what compose's restart: unless-stopped does
            progress(0.7)
            faults_redis.restart()
            events.append(f"Redis restarted at {second.sent} clicks")

        fault_thread = threading.Thread(target=faults, daemon=True)
        fault_thread.start()
        seconds = second.run()
        fault_thread.join(60)
        expected = first.answered + second.answered
        # A SIGKILLed drain's stream entries are reclaimed once idle for a minute (sharing.services.clicks_drain).
        lag = _wait_until_counted(expected, timeout=240)
        counted = _counted()
        report.append(_figures("load with faults", second, seconds, lag, counted, second.answered + first.answered))
        report.append("faults: " + "; ".join(events))
        assert faults_redis.restarts == 2
        assert second.statuses[302] == sum(second.answered.values())
        assert counted == {code: expected[code] for code in codes}, "counted clicks differ from the 302s sent"

        # --- The ledger: one click point per counted click (rules version 1, human_click=1, no cap).
        ledger = _wait_for_ledger(broker, shares, counted, timeout=120)
        rules = PointsRules.objects.get(version=1)
        for code, clicks in counted.items():
            assert ledger.get(shares[code], (0, 0)) == (clicks, clicks * rules.human_click), code
        assert workers.alive() == {"worker-1": True, "worker-2": True}
        assert beat.poll() is None
        assert all(web.process.poll() is None for web in webs)
    finally:
        report.append(_drain_rate(tmp_path))
        print("\n" + "\n".join(report))
        beat.terminate()
        workers.stop()
        nginx.stop()
        for web in webs:
            web.stop()
        try:
            beat.wait(20)
        except subprocess.TimeoutExpired:
            beat.kill()
    # No visitor's address in either access log (the privacy promise, under load).
    for log in [nginx.access_log] + [web.access_log for web in webs]:
        text = log.read_text()
        assert "/s/Scl" in text
        assert not re.search(r"\b127\.\d+\.\d+\.\d+\b", text), f"{log.name} holds a client address"
