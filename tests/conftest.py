"""The cast every test shares, and the switches for tests that need real services.

- alice: an employee in Engineering (the usual subject)
- bob: another employee, in Sales (to prove people cannot see each other's private things)
- casey: a comms admin (also an employee)
- harper: HR (also an employee)
- dan: a deactivated employee
"""

import os
import shutil

import pytest

from advocacy.people.roles import Role

from .factories import TeamFactory, UserFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]


def xdist_worker_number() -> int:
    """0 without pytest-xdist, else the worker's number: parallel workers must not share a Redis database."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)


def missing_service(reason: str):
    """Skip on a developer's machine; fail where the services are required (CI)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def engineering(db):
    return TeamFactory(name="Engineering", slug="engineering")


@pytest.fixture
def sales(db):
    return TeamFactory(name="Sales", slug="sales")


@pytest.fixture
def alice(engineering):
    return UserFactory(username="alice", display_name="Alice Archer", team=engineering)


@pytest.fixture
def bob(sales):
    return UserFactory(username="bob", display_name="Bob Baker", team=sales)


@pytest.fixture
def casey(db):
    team = TeamFactory(name="Marketing", slug="marketing")
    return UserFactory(username="casey", display_name="Casey Comms", team=team, roles=[Role.EMPLOYEE, Role.COMMS_ADMIN])


@pytest.fixture
def harper(db):
    team = TeamFactory(name="People", slug="people")
    return UserFactory(username="harper", display_name="Harper HR", team=team, roles=[Role.EMPLOYEE, Role.HR])


@pytest.fixture
def dan(engineering):
    return UserFactory(username="dan", display_name="Dan Departed", team=engineering, is_active=False)


@pytest.fixture
def redis_url():
    """A reachable Redis for tests that need the real thing (a test database, empty before and after)."""
    import redis

    from advocacy.settings.test import worker_redis_url

    url = worker_redis_url(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15")
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        missing_service(f"Redis is unreachable at {url}: {exc}")
    # Empty at the start too: tests that only follow the settings' REDIS_URL (a tracked link opened
    # through the test client) write to the same database and never flush it.
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def celery_eager():
    """Queued tasks run in-process, as a worker would run them (set on the app: it reads its settings once)."""
    from advocacy.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def postgres_only(settings):
    if not settings.DATABASE_IS_POSTGRES:
        missing_service("this test needs PostgreSQL (set DATABASE_URL=postgres://…)")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM_PATH) and not os.path.exists(CHROMIUM_PATH):
        if REQUIRE_BROWSER:
            pytest.fail(f"REQUIRE_BROWSER=1 but Chromium is not at {CHROMIUM_PATH}", pytrace=False)
        pytest.skip(f"Chromium not found at {CHROMIUM_PATH} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM must still be usable from tests.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def app_code(device) -> str:
    """A code the person's authenticator app would accept now, as a person would type it.

    A code is accepted once, and nothing older than the last one accepted: after a sign-in this
    is the next step's code (within the one step of tolerance), or, two in a row, a short wait.
    """
    import time

    from django_otp.oath import hotp

    device.refresh_from_db()
    now = time.time()
    step_now = int((now - device.t0) // device.step) + device.drift
    target = max(step_now, device.last_t + 1)
    if target > step_now + device.tolerance:
        time.sleep((target - device.tolerance - device.drift) * device.step + device.t0 - now + 0.05)
    return f"{hotp(device.bin_key, target, digits=device.digits):0{device.digits}d}"


def login_in_browser(page, live_server, username, password=None):
    """Sign in through the real form, and through the code step for someone with an authenticator app.

    A person whose role needs two-step sign-in gets an app first (as if they had set it up on an
    earlier day), so every comms and HR browser test also passes the code step.
    """
    from django.conf import settings
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from advocacy.people.mfa import authenticator_for, mfa_required_for
    from advocacy.people.models import User

    user = User.objects.filter(username=username).first()
    device = authenticator_for(user=user) if user else None
    if user is not None and device is None and mfa_required_for(user=user):
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password or settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    if device is not None and "/accounts/login/code/" in page.url:
        page.get_by_label("Code").fill(app_code(device))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()


def nav_link(page, name: str):
    """A link of the main menu, opening the dropdown (<details>) it sits in first, as a person would."""
    nav = page.get_by_role("navigation", name="Main")
    menu = nav.locator("details.nav-menu").filter(has=page.get_by_role("link", name=name, include_hidden=True))
    if menu.count() and not menu.first.evaluate("menu => menu.open"):
        menu.first.locator("summary").click()
    return nav.get_by_role("link", name=name).first


def page_shows(page, text: str):
    """Wait until the page (title included) shows text.

    After a click that submits a form, `page.content()` can be read while the next page is still
    loading and come back empty; Playwright's expect retries until the text is there or it times out.
    """
    from playwright.sync_api import expect

    expect(page.locator("html")).to_contain_text(text)
