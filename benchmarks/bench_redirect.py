"""Tracked-link redirect /s/<code> against a bare Django view that only returns a 302.

Both run in the same gunicorn server with the same middleware, loaded in turns by
wrk (or a Python load generator when wrk is missing) with browser user agents and
a different client address per request (through one trusted proxy), so every
tracked click is a new human visitor: the full path (cached link, rate limit,
dedup, append to the click stream) runs every time.

The bare view is routed only in this benchmark's own URLconf (the project's, with
the bare view inserted just before the sharing URLs so both are reached by walking
the same patterns), written to a temporary directory with a settings module that
extends the real ones. The app
uses its own temporary SQLite database (or BENCH_DATABASE_URL) and the Redis at
BENCH_REDIS_URL / REDIS_URL (default redis://127.0.0.1:6379/14), which must be an
empty scratch database: it is flushed at the end.

It measures twice: with the machine otherwise idle, then with a Celery worker and beat
running beside the server (the click drain every 10 seconds moves what the load captures
into the database, the scans award it), as in production on one machine.

Targets, with the worker and beat running: tracked throughput >= 0.8x the bare view's,
tracked p99 <= 1.5x the bare p99. The idle figures are printed beside them.
"""

import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
GUNICORN = [PYTHON, "-m", "gunicorn"]
WRK = shutil.which("wrk") or ("/usr/bin/wrk" if os.path.exists("/usr/bin/wrk") else None)
LINKS = int(os.environ.get("BENCH_LINKS", "1200"))
# Many short rounds, alternating, so that load from anything else on the machine falls on both.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "6"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
# gunicorn's own recommendation for sync workers: 2 x cores + 1.
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "sync")
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
TARGET_THROUGHPUT, TARGET_P99 = 0.8, 1.5
CELERY = [PYTHON, "-m", "celery", "-A", "advocacy"]

SETTINGS = """
from advocacy.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
TRUSTED_PROXY_COUNT = 1
LOGGING["root"]["level"] = "ERROR"  # noqa: F405
LOGGING["loggers"]["django"]["level"] = "ERROR"  # noqa: F405
"""

URLS = """
from django.http import HttpResponseRedirect
from django.urls import path

from advocacy import urls as project_urls

DESTINATION = "https://example.com/launch?utm_source=linkedin&utm_medium=employee_advocacy&utm_campaign=launch"


def bare_redirect(request, code):
    return HttpResponseRedirect(DESTINATION)


# The bare view sits just before the sharing URLs, so Django walks the same patterns
# to reach either view: the comparison measures the tracking, not the routing.
urlpatterns = list(project_urls.urlpatterns)
position = next(i for i, p in enumerate(urlpatterns) if getattr(p, "namespace", None) == "sharing")
urlpatterns.insert(position, path("bench/bare/<str:code>", bare_redirect))
"""

SEED = """
import sys
from django.utils import timezone
from advocacy.networks import Network
from advocacy.people.models import User
from content_library.models import Post
from sharing.links import code_generate
from sharing.models import Share

links = int(sys.argv[1])
networks = list(Network.values)
now = timezone.now()
post = Post.objects.create(
    title="Benchmark post", slug="benchmark", destination_url="https://example.com/launch",
    status=Post.Status.APPROVED, publish_at=now,
)
people = User.objects.bulk_create(
    [User(username=f"bench{i}", password="!") for i in range(links // len(networks) + 1)]
)
shares = [
    Share(user=person, post=post, network=network, code=code_generate(), last_shared_at=now)
    for person in people for network in networks
][:links]
Share.objects.bulk_create(shares)
print("\\n".join(share.code for share in shares))
"""

WRK_SCRIPT = """
local codes, prefix, counter = {}, "", 0
function init(args)
  prefix = args[1]
  for line in io.lines(args[2]) do codes[#codes + 1] = line end
  counter = math.random(1, #codes)
end
function request()
  counter = counter + 1
  local ip = "10." .. (counter % 200) .. "." .. math.random(0, 255) .. "." .. math.random(1, 254)
  return wrk.format("GET", prefix .. codes[(counter % #codes) + 1], {
    ["User-Agent"] = "__UA__",
    ["X-Forwarded-For"] = ip,
  })
end
function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format('RESULT {"requests": %d, "duration_us": %d, "p99_us": %d, "errors": %d, "bad_status": %d}\\n',
    summary.requests, summary.duration, latency:percentile(99), errors, summary.errors.status))
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_url() -> str | None:
    import redis

    url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        size = client.dbsize()
    except redis.RedisError as exc:
        print(f"Redis unreachable at {url} ({exc}); measuring the embedded setup (clicks written directly).")
        return None
    if size:
        sys.exit(f"{url} holds {size} keys; point BENCH_REDIS_URL at an empty scratch database (it is flushed).")
    return url


def _wrk(port: int, prefix: str, codes_file: Path, script: Path) -> dict:
    command = [WRK, "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "-s", str(script)]
    command += [f"http://127.0.0.1:{port}", "--", prefix, str(codes_file)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    # A rare socket timeout on a busy machine is noise; anything more, or any bad status, is a failure.
    if result["bad_status"] or result["errors"] > result["requests"] * 0.001:
        sys.exit(f"Load run on {prefix} had errors: {result}\n{output}")
    return {"rps": result["requests"] / (result["duration_us"] / 1e6), "p99_ms": result["p99_us"] / 1000}


def _python_load(port: int, prefix: str, codes: list[str]) -> dict:
    """A simple closed-loop generator: CONNECTIONS threads, keep-alive connections, same headers as the wrk script."""
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + SECONDS
    failures = []

    def worker(offset: int):
        connection = http.client.HTTPConnection("127.0.0.1", port)
        mine, counter = [], offset
        while time.perf_counter() < deadline:
            counter += 1
            headers = {"User-Agent": UA, "X-Forwarded-For": f"10.{counter % 200}.{offset % 256}.{counter % 254 + 1}"}
            started = time.perf_counter()
            connection.request("GET", prefix + codes[counter % len(codes)], headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 302:
                failures.append(response.status)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(index * 7919,)) for index in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        sys.exit(f"Load run on {prefix} got non-302 answers: {sorted(set(failures))}")
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000}


def _measure(port: int, codes: list[str], codes_file: Path, work: Path) -> tuple[float, float]:
    """ROUNDS alternating runs of each view; prints them and the medians, returns (throughput, p99) ratios."""
    results = {"bare": [], "tracked": []}
    for _ in range(ROUNDS):
        for name, prefix in (("bare", "/bench/bare/"), ("tracked", "/s/")):
            if WRK:
                result = _wrk(port, prefix, codes_file, work / "wrk_redirect.lua")
            else:
                result = _python_load(port, prefix, codes)
            results[name].append(result)
            print(f"  {name:8} {result['rps']:9.0f} req/s   p99 {result['p99_ms']:7.2f} ms")
    bare_rps = statistics.median(r["rps"] for r in results["bare"])
    tracked_rps = statistics.median(r["rps"] for r in results["tracked"])
    bare_p99 = statistics.median(r["p99_ms"] for r in results["bare"])
    tracked_p99 = statistics.median(r["p99_ms"] for r in results["tracked"])
    throughput_ratio, p99_ratio = tracked_rps / bare_rps, tracked_p99 / bare_p99
    print(f"  bare 302 view:   {bare_rps:8.0f} req/s, p99 {bare_p99:6.2f} ms (median of {ROUNDS})")
    print(f"  tracked /s/code: {tracked_rps:8.0f} req/s, p99 {tracked_p99:6.2f} ms (median of {ROUNDS})")
    print(f"  throughput ratio tracked/bare: {throughput_ratio:.2f} (target >= {TARGET_THROUGHPUT})")
    print(f"  p99 ratio tracked/bare:        {p99_ratio:.2f} (target <= {TARGET_P99})")
    return throughput_ratio, p99_ratio


def _start_worker_and_beat(env: dict, work: Path) -> list[subprocess.Popen]:
    """A Celery worker (two processes, as on a two-core machine) and beat, on the app's own schedule."""
    log = open(work / "celery.log", "w")  # noqa: SIM115 (closed with the temporary directory)
    worker = subprocess.Popen(
        [*CELERY, "worker", "--concurrency", "2", "--loglevel", "warning"], env=env, cwd=ROOT, stdout=log, stderr=log
    )
    beat = subprocess.Popen(
        [*CELERY, "beat", "--loglevel", "warning"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    time.sleep(5)  # started, connected, and the first ticks sent
    for process in (worker, beat):
        if process.poll() is not None:
            sys.exit(f"The Celery worker or beat stopped at once; see {work / 'celery.log'}")
    return [worker, beat]


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="bench-redirect-"))
    if os.environ.get("BENCH_KEEP"):  # keep the temporary directory for a look afterwards
        print(f"working in {work}")
    (work / "bench_settings.py").write_text(textwrap.dedent(SETTINGS))
    (work / "bench_urls.py").write_text(textwrap.dedent(URLS))
    (work / "wrk_redirect.lua").write_text(WRK_SCRIPT.replace("__UA__", UA))
    redis_url = _redis_url()
    env = {
        **os.environ,
        "PYTHONPATH": f"{work}:{ROOT}",
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{work / 'bench.sqlite3'}"),
        "VAR_DIR": str(work / "var"),
        "SECRET_KEY": "benchmark-" + "x" * 50,
        "DEBUG": "false",
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    server = None
    helpers: list[subprocess.Popen] = []
    try:
        subprocess.run([PYTHON, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
        seeded = subprocess.run(
            [PYTHON, str(ROOT / "manage.py"), "shell", "-c", SEED.replace("sys.argv[1]", str(LINKS))],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        codes = [line for line in seeded.stdout.split() if re.fullmatch(r"[A-Za-z0-9]{9}", line)]
        codes_file = work / "codes.txt"
        codes_file.write_text("\n".join(codes) + "\n")
        port = _free_port()
        server = subprocess.Popen(
            [*GUNICORN, "advocacy.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)]
            + [
                "--log-level",
                "warning",
                "--worker-class",
                WORKER_CLASS,
                "--threads",
                str(THREADS),
                "--keep-alive",
                "5",
            ],
            env=env,
            cwd=ROOT,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        # Warm up: every worker imports everything, every link gets cached.
        warm = http.client.HTTPConnection("127.0.0.1", port)
        for index, code in enumerate(codes + codes[:50]):
            for prefix in ("/s/", "/bench/bare/"):
                warm.request(
                    "GET",
                    prefix + code,
                    headers={"User-Agent": "Twitterbot/1.0", "X-Forwarded-For": f"10.9.{index % 250}.1"},
                )
                response = warm.getresponse()
                response.read()
                if response.status != 302:
                    sys.exit(f"Warm-up {prefix}{code} answered {response.status}")
        print(
            f"{len(codes)} tracked links, gunicorn {WORKERS} {WORKER_CLASS} workers x {THREADS} threads, "
            f"{CONNECTIONS} connections, "
            f"{ROUNDS} rounds of {SECONDS}s each, load by {'wrk' if WRK else 'Python'}, "
            f"clicks to {'Redis' if redis_url else 'the database (no Redis)'}"
        )
        ratios = {}
        for variant in ("worker idle", "worker busy"):
            if variant == "worker busy":
                if not redis_url:
                    print("no Redis: the worker and beat need it as their broker; the busy variant is skipped")
                    break
                helpers = _start_worker_and_beat(env, work)
            print(f"{variant}:")
            ratios[variant] = _measure(port, codes, codes_file, work)
        if redis_url:
            import redis

            stream = redis.Redis.from_url(redis_url).xlen("sharing:clicks")
            print(f"clicks still on the stream at the end: {stream}")
        print("machine load average (1, 5, 15 min): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
        judged = ratios.get("worker busy") or ratios["worker idle"]
        ok = judged[0] >= TARGET_THROUGHPUT and judged[1] <= TARGET_P99
        print(("PASS" if ok else "FAIL") + f" ({'worker busy' if 'worker busy' in ratios else 'worker idle'})")
        return 0 if ok else 1
    finally:
        running = [process for process in [server, *helpers] if process is not None]
        for process in running:
            process.terminate()
        for process in running:
            try:
                process.wait(timeout=30)  # a worker finishes the drain under way first
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if redis_url:
            import redis

            redis.Redis.from_url(redis_url).flushdb()
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
