"""Screenshots of each role's main pages at a laptop's and a phone's size, into docs/screenshots/.

Runs the product on a throw-away SQLite database with the demo data (in a temporary VAR_DIR, so
nothing of yours is touched), signs in as each demo login and saves one viewport-sized PNG per
page and size. Run by `make screenshots`; needs Playwright and Chromium like the browser tests.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}
PASSWORD = "advocacy-demo"  # noqa: S105 - the documented demo login (settings.DEMO_PASSWORD)
# (file name, URL name) per demo login; None is signed out.
PAGES = {
    None: [("login", "login")],
    "employee": [
        ("home", "home"),
        ("library", "content_library:feed"),
        ("my-activity", "sharing:my_activity"),
        ("leaderboard", "leaderboard:board"),
        ("my-points", "leaderboard:my_points"),
        ("guidelines", "guidelines:portal"),
    ],
    "comms": [
        ("home", "home"),
        ("posts", "content_library:comms_post_list"),
        ("calendar", "content_library:comms_calendar"),
        ("analytics", "analytics:comms_dashboard"),
        ("branding", "branding:edit"),
        ("styleguide", "branding:styleguide"),
    ],
    "hr": [
        ("home", "home"),
        ("people", "people:people_list"),
        ("leaderboard-review", "leaderboard:review"),
        ("draws", "draws:manage_list"),
        ("analytics", "analytics:hr_dashboard"),
    ],
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, server: subprocess.Popen) -> None:
    for _ in range(240):
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit {server.returncode})")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer at {url}")


def _resolve(paths: dict[str, str], env: dict) -> dict[str, str]:
    """URL names → paths, asked of Django itself so the list cannot drift from the URL conf."""
    script = (
        "import django, json, sys; django.setup(); from django.urls import reverse;"
        "print(json.dumps({k: reverse(v) for k, v in json.loads(sys.argv[1]).items()}))"
    )
    out = subprocess.check_output([sys.executable, "-c", script, json.dumps(paths)], env=env, cwd=ROOT, text=True)
    return json.loads(out)


def main() -> None:
    from playwright.sync_api import sync_playwright

    var_dir = tempfile.mkdtemp(prefix="advocacy-screenshots-")
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "advocacy.settings.base",
        "VAR_DIR": var_dir,
        "DATABASE_URL": f"sqlite:///{var_dir}/screens.sqlite3",
        "MFA_REQUIRED": "false",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "EMAIL_BACKEND": "locmem",
        "SITE_URL": f"http://127.0.0.1:{port}",
    }
    env.pop("REDIS_URL", None)
    manage = [sys.executable, "manage.py"]
    print("Preparing a demo database (migrate + seed_demo)…", flush=True)
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run([*manage, "seed_demo"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    paths = _resolve({url_name: url_name for pages in PAGES.values() for _name, url_name in pages}, env)
    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        _wait_for(f"{base}/healthz", server)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            for role, pages in PAGES.items():
                context = browser.new_context(viewport={"width": 1366, "height": 900})
                page = context.new_page()
                if role:
                    page.goto(f"{base}/accounts/login/")
                    page.get_by_label("Username").fill(role)
                    page.get_by_label("Password").fill(PASSWORD)
                    page.get_by_role("button", name="Log in").click()
                    page.wait_for_load_state()
                for name, url_name in pages:
                    path = paths[url_name]
                    for size, (width, height) in SIZES.items():
                        page.set_viewport_size({"width": width, "height": height})
                        page.goto(f"{base}{path}")
                        target = OUT / f"{role or 'public'}-{name}-{size}.png"
                        page.screenshot(path=str(target))
                        written.append(target)
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"{len(written)} screenshots in {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
