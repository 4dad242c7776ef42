"""The issue's acceptance flow: a new share and a click move an employee on the weekly board."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from advocacy.people.roles import Role
from content_library.models import Post
from leaderboard import tasks
from sharing.services import clicks_drain, share_create
from tests.conftest import login_in_browser
from tests.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"


def run_the_worker():
    """What beat and the worker do every minute: drain clicks, award new causes, update standings."""
    clicks_drain()
    tasks.scan_sources()


def your_rank(page, live_server):
    page.goto(f"{live_server.url}/leaderboard/?period=week")
    # The sentence without the movement marker beside it ("new", "▲ 2"), which has its own test.
    return page.get_by_test_id("your-rank").evaluate(
        "el => { const c = el.cloneNode(true); c.querySelectorAll('.movement').forEach(m => m.remove());"
        " return c.textContent.replace(/\\s+/g, ' ').trim(); }"
    )


def test_a_share_and_a_click_move_an_employee_up_and_hr_can_void_one(page, browser, live_server):
    team = TeamFactory(name="Engineering", slug="engineering")
    alice = UserFactory(username="alice", display_name="Alice Archer", team=team)
    rival = UserFactory(username="rival", display_name="Rita Rival", team=team)
    UserFactory(username="harper", display_name="Harper HR", team=team, roles=[Role.EMPLOYEE, Role.HR])
    post = Post.objects.create(
        title="Our new office opens",
        slug="new-office",
        status=Post.Status.APPROVED,
        destination_url=f"{live_server.url}/accounts/login/",
        suggested_caption="Come and visit",
        publish_at=timezone.now() - timedelta(hours=1),
    )
    rival_share, _ = share_create(user=rival, post=post, network="linkedin", caption="Come and visit #employee")
    run_the_worker()

    login_in_browser(page, live_server, "alice")
    assert "No points on this board yet" in your_rank(page, live_server)

    share, created = share_create(user=alice, post=post, network="x", caption="Come and visit #employee")
    assert created
    visitor = browser.new_context(user_agent=DESKTOP_UA)
    visitor.new_page().goto(f"{live_server.url}/s/{share.code}")
    visitor.close()
    run_the_worker()

    assert your_rank(page, live_server) == "Rank 1 with 11 points."
    board = page.get_by_test_id("board")
    assert board.locator("tr.is-viewer").inner_text().split("\t")[:1] == ["1"]
    assert "Rita Rival" in board.inner_text()

    page.get_by_role("link", name="Why do I have these points?").click()
    # expect() waits for the navigation the click started; count() alone would not.
    events = page.get_by_test_id("events")
    expect(events.locator(f'[data-event="share:{share.pk}"]')).to_have_count(1)
    expect(events.locator(f'[data-event^="clicks:{share.pk}:"]')).to_have_count(1)
    expect(page.get_by_test_id("total")).to_have_text("11")

    hr = browser.new_context(viewport={"width": 1280, "height": 900})
    hr_page = hr.new_page()
    login_in_browser(hr_page, live_server, "harper")
    hr_page.goto(f"{live_server.url}/leaderboard/review/?period=week")
    hr_page.get_by_role("link", name="Alice Archer").click()
    hr_page.wait_for_url("**/leaderboard/review/people/**")
    share_row = hr_page.locator(f'[data-event="share:{share.pk}"]')
    share_row.get_by_label("Reason for voiding").fill("Shared to a test account")
    share_row.get_by_role("button", name="Void").click()
    # The question comes in the page's own <dialog> (static/js/dialogs.js), not window.confirm().
    hr_page.get_by_role("dialog").get_by_role("button", name="Confirm").click()
    expect(hr_page.locator(".messages")).to_contain_text("Voided")
    hr.close()
    tasks.apply_standings()

    assert your_rank(page, live_server) == "Rank 2 with 1 points."
    page.get_by_role("link", name="Why do I have these points?").click()
    expect(page.get_by_test_id("total")).to_have_text("1")
    assert "Reason: Shared to a test account (Harper HR)" in page.get_by_test_id("events").inner_text()
    assert rival_share.pk
