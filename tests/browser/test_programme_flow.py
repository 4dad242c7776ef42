"""Issue 24's "Done when", clicked through: goals move after shares, reach and the calculator on the
dashboard, an ambassador identified, invited, featured and gone from /insiders/ the moment they opt
out, and a pulse whose results appear only once enough people answered."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.rollups import rollups_refresh
from programme import pulse
from programme.models import AmbassadorInvitation, PulseSurvey
from tests.conftest import login_in_browser, nav_link, page_shows
from tests.factories import UserFactory
from tests.leaderboard.conftest import make_clicks, make_share

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _context_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def _alice_shares(alice, *, count=3):
    """Shares in three different weeks, each with human clicks: enough to be a ranked candidate."""
    now = timezone.now()
    for week in range(count):
        share = make_share(user=alice, at=now - timedelta(days=7 * week, hours=1))
        make_clicks(share=share, count=2, at=now - timedelta(days=7 * week, minutes=30))
    rollups_refresh(full=True)


def test_comms_set_a_goal_and_watch_it_move_after_shares_beside_reach_and_the_calculator(
    page, live_server, casey, alice
):
    login_in_browser(page, live_server, "casey")
    nav_link(page, "Programme goals").click()
    today = timezone.localdate()
    page.get_by_label("Name").fill("Awareness: shares over these seven weeks")
    page.get_by_label("Measure").select_option("shares")
    page.get_by_label("Target").fill("3")
    page.get_by_label("From").fill((today - timedelta(days=30)).isoformat())
    page.get_by_label("To").fill((today + timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Set goal").click()
    goal = page.locator("#goal-progress .goal").first
    assert goal.locator(".goal-actual").inner_text() == "0"

    _alice_shares(alice, count=2)
    nav_link(page, "Analytics").click()
    panel = page.locator("#programme-goals")
    assert panel.locator(".goal-actual").first.inner_text() == "2"
    assert "Behind" in panel.inner_text() or "On track" in panel.inner_text()
    assert page.locator("#programme-reach").is_visible()
    page.get_by_role("link", name="Reach per campaign and the reach calculator").click()
    page.get_by_label("Employees (N)").fill("200")
    page.get_by_role("button", name="Calculate").click()
    assert "Potential reach = N × participation × M × audience per share" in page.locator("#reach-formula").inner_text()

    page.goto(f"{live_server.url}/")
    assert page.get_by_test_id("home-goals").locator(".goal-actual").first.inner_text() == "2"


def test_comms_invite_and_feature_an_ambassador_who_opts_out_and_leaves_the_insiders_page_at_once(
    browser, page, live_server, casey, alice
):
    _alice_shares(alice)
    login_in_browser(page, live_server, "casey")
    nav_link(page, "Ambassador candidates").click()
    row = page.locator(f"#candidate-{alice.pk}")
    assert "shared in 3 of 13 weeks" in row.inner_text()
    row.get_by_role("button", name="Invite Alice Archer").click()
    assert "Invited" in page.locator(f"#candidate-{alice.pk}").inner_text()

    alice_context, alice_page = _context_page(browser)
    login_in_browser(alice_page, live_server, "alice")
    alice_page.get_by_test_id("home-ambassador").get_by_role("link", name="See the invitation").click()
    alice_page.get_by_role("button", name="Accept").click()
    assert alice_page.get_by_role("heading", name="You are an ambassador").is_visible()

    nav_link(page, "Ambassadors").click()
    page.get_by_label("Show the Insiders page to everyone, signed in or not").check()
    page.locator("#insiders-page-form").get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Feature Alice Archer").click()
    assert "Asked, not yet agreed" in page.locator("#invitations").inner_text()

    visitor_context, visitor = _context_page(browser)
    visitor.goto(f"{live_server.url}/insiders/")
    assert "Alice Archer" not in visitor.content()  # featured, but she has not agreed

    alice_page.reload()
    alice_page.get_by_label("Bio", exact=True).fill("I build the backend and share what we ship.")
    alice_page.locator("#insider-form input[name=picks]").first.check()
    alice_page.get_by_label("I agree to appear on the public Insiders page", exact=False).check()
    alice_page.get_by_role("button", name="Save").click()
    assert alice_page.get_by_text("You are on the page").is_visible()

    visitor.reload()
    card = visitor.locator(".insider").filter(has_text="Alice Archer")
    assert "I build the backend" in card.inner_text()
    assert "/s/" in card.get_by_role("link").first.get_attribute("href")  # her own tracked link

    alice_page.get_by_role("button", name="Take me off the Insiders page").click()
    visitor.reload()
    assert "Alice Archer" not in visitor.content()
    assert visitor.locator("#no-insiders").is_visible()

    alice_page.get_by_role("button", name="Leave the ambassador programme").click()
    assert AmbassadorInvitation.objects.get(user=alice).left_at is not None
    alice_context.close()
    visitor_context.close()


def test_a_pulse_runs_and_shows_results_only_above_the_group_threshold(browser, page, live_server, casey, alice):
    login_in_browser(page, live_server, "casey")
    nav_link(page, "Pulse results").click()
    today = timezone.localdate()
    page.get_by_label("Period").fill(today.strftime("%Y-%m"))
    page.get_by_label("Opens on").fill(today.isoformat())
    page.get_by_label("Closes on").fill((today + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Create pulse").click()
    survey = PulseSurvey.objects.get()
    assert page.locator("#pulse-hidden").is_visible()

    questions = list(survey.questions.all())
    for n in range(pulse.MIN_GROUP_SIZE - 1):
        person = UserFactory(username=f"colleague{n}", team=alice.team)
        pulse.pulse_answer(survey=survey, user=person, scores={q.pk: 4 for q in questions})
    page.reload()
    assert page.locator("#pulse-hidden").is_visible()  # 4 answers: still hidden

    alice_context, alice_page = _context_page(browser)
    login_in_browser(alice_page, live_server, "alice")
    alice_page.goto(f"{live_server.url}/pulse/")
    for question in questions:
        alice_page.locator(f"input[name=q{question.pk}][value='5']").check()
    alice_page.get_by_role("button", name="Send").click()
    page_shows(alice_page, "stored without your name")
    alice_context.close()

    page.reload()
    assert page.locator("#pulse-hidden").count() == 0
    page_shows(page, "4.2")  # (4 × 4 + 5) ÷ 5, per statement
