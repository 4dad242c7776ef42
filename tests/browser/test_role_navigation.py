import pytest
from django.core.management import call_command

from tests.conftest import login_in_browser, page_shows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXPECTED_SECTIONS = {
    "employee": {"employee"},
    "comms": {"employee", "comms"},
    "hr": {"employee", "hr"},
}


def test_each_demo_role_logs_in_and_sees_its_navigation(browser, live_server):
    call_command("seed_demo")  # once for the three roles: seeding takes tens of seconds
    for username in ("employee", "comms", "hr"):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        login_in_browser(page, live_server, username)
        assert page.url == f"{live_server.url}/", username
        sections = page.locator(".site-nav [data-section]").evaluate_all("els => els.map(e => e.dataset.section)")
        assert set(sections) == EXPECTED_SECTIONS[username]
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url(f"{live_server.url}/accounts/login/")
        context.close()


def test_a_wrong_password_shows_a_clear_message(page, live_server, alice):
    login_in_browser(page, live_server, "alice", password="not-it")
    page_shows(page, "Please enter a correct username and password")
