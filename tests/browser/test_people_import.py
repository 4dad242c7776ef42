"""HR imports 500 people (three bad rows shown, fixed, imported, re-imported without duplicates)
and watches the progress bar reach 100%; an invited person accepts and lands on the home page.

The import runs in a real Celery worker (a thread of this process, on the test settings'
in-memory broker), so the page's script polls a job that is still running, as in production.
"""

import re

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from advocacy.celery import app
from advocacy.people.models import PeopleImport, User
from tests.conftest import login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DOMAIN = "import.example.test"


@pytest.fixture
def worker(settings, live_server):
    settings.SITE_URL = live_server.url
    settings.PEOPLE_IMPORT_BATCH_SIZE = 10  # 50 batches: enough steps for the bar to be seen moving
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
        yield


def _people_csv(path, *, broken: bool):
    lines = ["name,email,team,roles,manager"]
    for number in range(1, 501):
        email = f"person{number:03}@{DOMAIN}"
        team = "Engineering" if number % 2 else "Sales"
        manager = f"person001@{DOMAIN}" if number > 1 else ""
        if broken and number == 100:
            email = "person100-at-nowhere"
        if broken and number == 250:
            team = "Enginering"
        if broken and number == 400:
            email = f"person010@{DOMAIN}"
        lines.append(f"Person {number:03},{email},{team},{'Employee; HR' if number == 1 else ''},{manager}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _upload(page, live_server, path):
    page.goto(f"{live_server.url}/people/imports/new/")
    page.get_by_label("CSV or XLSX file").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()


def _import_and_watch(page) -> list[int]:
    page.get_by_role("button", name=re.compile(r"^Import 500 people")).click()
    page.wait_for_load_state()
    bar = page.locator("#import-progress-bar")
    seen = []
    for _ in range(1200):
        value = int(bar.evaluate("bar => bar.value"))
        if not seen or seen[-1] != value:
            seen.append(value)
        if value == 100:
            break
        page.wait_for_timeout(100)
    page.wait_for_selector("text=Done")
    return seen


def test_hr_imports_500_people_fixes_three_rows_and_reimports_without_duplicates(
    page, browser, live_server, worker, harper, engineering, sales, tmp_path
):
    login_in_browser(page, live_server, "harper")

    _upload(page, live_server, _people_csv(tmp_path / "people.csv", broken=True))
    assert page.get_by_role("heading", name="3 rows need fixing").is_visible()
    rows = page.locator("[data-testid=import-rows] tbody tr")
    assert rows.count() == 3
    assert "“person100-at-nowhere” is not an email address" in rows.nth(0).inner_text()
    assert "no team “Enginering”" in rows.nth(1).inner_text()
    assert "same email as line 11" in rows.nth(2).inner_text()
    assert page.get_by_role("button", name=re.compile("^Import")).count() == 0
    assert User.objects.filter(email__endswith=DOMAIN).count() == 0

    fixed = _people_csv(tmp_path / "people-fixed.csv", broken=False)
    _upload(page, live_server, fixed)
    assert "Every row is valid: 500 to create" in page.get_by_test_id("preview-summary").inner_text()
    seen = _import_and_watch(page)
    print(f"progress bar values seen: {seen}")
    assert seen[-1] == 100
    assert any(0 < value < 100 for value in seen), f"the bar never showed a step between 0 and 100: {seen}"
    assert "500 created, 0 updated, 0 unchanged" in page.locator("#import-progress-text").inner_text()
    assert User.objects.filter(email__endswith=DOMAIN).count() == 500

    _upload(page, live_server, fixed)
    assert "0 to create, 0 to update, 500 already up to date" in page.get_by_test_id("preview-summary").inner_text()
    assert _import_and_watch(page)[-1] == 100
    assert "0 created, 0 updated, 500 unchanged" in page.locator("#import-progress-text").inner_text()
    assert User.objects.filter(email__endswith=DOMAIN).count() == 500
    assert PeopleImport.objects.filter(status="done").count() == 2
    lead = User.objects.get(email=f"person001@{DOMAIN}")
    assert lead.reports.count() == 499

    page.goto(f"{live_server.url}/people/?q=person042")
    page.get_by_role("link", name="Person 042").click()
    page.get_by_role("button", name="Send an invitation").click()
    page.wait_for_load_state()
    assert "Invitation sent" in page.locator(".messages").inner_text()
    for _ in range(100):
        if mail.outbox:
            break
        page.wait_for_timeout(100)
    (message,) = mail.outbox
    link = re.search(r"http://\S+/invitations/\S+/", message.body).group(0)

    invitee = browser.new_context().new_page()
    invitee.goto(link)
    assert invitee.get_by_role("heading", name="Welcome, Person 042").is_visible()
    invitee.get_by_label("New password", exact=True).fill("harbour-lantern-93")
    invitee.get_by_label("New password confirmation").fill("harbour-lantern-93")
    invitee.get_by_role("button", name="Set my password and continue").click()
    invitee.wait_for_load_state()
    assert invitee.url == f"{live_server.url}/"
    assert invitee.get_by_role("heading", name="Welcome, Person 042").is_visible()
    assert "Welcome! Your account is ready." in invitee.locator(".messages").inner_text()
    invitee.goto(link)
    assert "already been used" in invitee.locator("[role=alert]").inner_text()
    invitee.context.close()
