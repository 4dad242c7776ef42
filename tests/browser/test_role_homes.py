"""Each role's start page with real data, on a laptop and on a phone, never wider than the screen."""

from datetime import timedelta

import pytest
from django.utils import timezone

from leaderboard.services import points_award_for_share
from leaderboard.standings_apply import standings_apply_pending
from tests.conftest import login_in_browser
from tests.draws.helpers import make_draw
from tests.guidelines.factories import make_policy
from tests.leaderboard.conftest import make_clicks, make_post, make_share

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [(1366, 900), (390, 844)]


@pytest.fixture
def world(alice, bob, casey, harper):
    now = timezone.now()
    make_policy()
    for title in ("A very long headline about our new release that wraps on a phone screen", "Meet the team"):
        make_post(featured=True, title=title)
    share = make_share(user=alice, at=now)
    make_clicks(share=share, count=4, at=now - timedelta(minutes=40))
    points_award_for_share(share_id=share.pk)
    points_award_for_share(share_id=make_share(user=bob, at=now).pk)
    standings_apply_pending()
    make_draw(state="open", name="Spring draw")
    make_draw(state="closed", name="Winter draw")


def _no_horizontal_overflow(page):
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"page is {width[0]} px wide in a {width[1]} px window"


@pytest.mark.parametrize(("width", "height"), SIZES)
@pytest.mark.parametrize(
    ("username", "sections"),
    [
        ("alice", ["home-employee"]),
        ("casey", ["home-employee", "home-comms"]),
        ("harper", ["home-employee", "home-hr"]),
    ],
)
def test_each_role_sees_its_home_with_real_data(browser, live_server, world, username, sections, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(45_000)  # a loaded CI machine is slow to serve the first page
    try:
        login_in_browser(page, live_server, username)
        page.goto(f"{live_server.url}/")
        for section in sections:
            assert page.get_by_test_id(section).is_visible()
        assert page.get_by_test_id("share-today").locator(".pick").count() >= 1
        assert page.get_by_test_id("open-draw").inner_text().count("Spring draw") == 1
        if username == "alice":
            assert page.get_by_test_id("my-week").locator('[data-stat="clicks"]').inner_text() == "4"
        if username == "casey":
            assert "Open the dashboard" in page.get_by_test_id("comms-month").inner_text()
        if username == "harper":
            assert "Winter draw" in page.get_by_test_id("hr-draws").inner_text()
            assert page.get_by_test_id("hr-people").locator('[data-stat="employees"]').inner_text() == "4"
        _no_horizontal_overflow(page)
        page.goto(f"{live_server.url}/leaderboard/")
        assert page.get_by_test_id("podium").is_visible()
        _no_horizontal_overflow(page)
        page.goto(f"{live_server.url}/leaderboard/me/")
        _no_horizontal_overflow(page)
    finally:
        context.close()
