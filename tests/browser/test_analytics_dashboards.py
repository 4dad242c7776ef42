"""The dashboards on the demo data, as comms and HR, with screenshots and no CSP violation."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from analytics import selectors
from tests.conftest import login_in_browser, nav_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch_csp(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if "Refused to" in message.text else None)
    return problems


def test_comms_reads_the_program_dashboard_on_demo_data(page, live_server, tmp_path):
    call_command("seed_demo")
    problems = _watch_csp(page)
    login_in_browser(page, live_server, "comms")
    nav_link(page, "Analytics").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Program analytics", level=1).is_visible()
    expected = selectors.comms_dashboard(filters=selectors.default_filters(today=timezone.localdate())).totals
    assert page.locator("#figure-shares").inner_text() == str(expected.shares)
    assert page.locator("#figure-active").inner_text() == str(expected.active_employees)
    assert page.locator("svg[role=img]").count() >= 3
    page.screenshot(path=str(tmp_path / "comms-dashboard.png"), full_page=True)

    assert expected.shares > 0, "the demo data has shares in the last 30 days"
    page.locator("#posts-table tbody a").first.click()
    page.wait_for_url("**/comms/analytics/posts/**")
    assert page.locator("#figure-captions").is_visible()
    page.screenshot(path=str(tmp_path / "post-performance.png"), full_page=True)

    page.goto(f"{live_server.url}/comms/analytics/?start=2026-05-01&end=2026-04-01")
    assert "on or after the start date" in page.locator(".error").first.inner_text()
    assert problems == [], "the dashboards break the Content-Security-Policy"
    assert (tmp_path / "comms-dashboard.png").stat().st_size > 10_000


def test_hr_reads_participation_and_acknowledgements_on_demo_data(page, live_server, tmp_path):
    call_command("seed_demo")
    problems = _watch_csp(page)
    login_in_browser(page, live_server, "hr")
    page.goto(f"{live_server.url}/hr/analytics/")
    assert page.get_by_role("heading", name="Program analytics for HR").is_visible()
    assert page.locator("#participation-table tbody tr").count() >= 6
    assert page.get_by_role("heading", name="Policy acknowledgement").is_visible()
    assert nav_link(page, "Draws").is_visible()
    page.screenshot(path=str(tmp_path / "hr-dashboard.png"), full_page=True)
    assert problems == [], "the HR dashboard breaks the Content-Security-Policy"
