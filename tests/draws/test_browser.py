from datetime import timedelta

import pytest
from django.utils import timezone

from draws.models import Draw
from tests.conftest import login_in_browser
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_runs_a_draw_and_an_employee_verifies_it(page, live_server, alice, bob, harper):
    for i in range(4):
        UserFactory(username=f"entrant{i}")
    now = timezone.now()
    login_in_browser(page, live_server, "harper")
    page.goto(f"{live_server.url}/hr/draws/new/")
    page.get_by_label("Name", exact=True).fill("Browser draw")
    page.get_by_label("Prizes", exact=True).fill("Headphones\n2 x Voucher")
    page.get_by_label("Time zone").fill("UTC")
    page.get_by_label("Entries open").fill(f"{now - timedelta(days=1):%Y-%m-%dT%H:%M}")
    page.get_by_label("Entries close").fill(f"{now + timedelta(days=5):%Y-%m-%dT%H:%M}")
    page.get_by_label("Count shares from").fill(f"{now - timedelta(days=30):%Y-%m-%d}")
    page.get_by_label("Count shares until (inclusive)").fill(f"{now:%Y-%m-%d}")
    page.get_by_label("Public randomness to mix in (optional)").fill("drand quicknet round 123")
    page.get_by_label("Official rules").fill("Everyone but comms and HR may enter.")
    page.get_by_role("button", name="Create the draw").click()
    page.wait_for_load_state()
    assert "The draw is created." in page.content()

    page.get_by_role("button", name="Close entries now and freeze").click()
    # Freezing and drawing cannot be undone: each asks in the page's <dialog> first (static/js/dialogs.js).
    dialog = page.get_by_role("dialog")
    assert "cannot be changed" in dialog.inner_text()
    # The confirmed form posts and the page navigates: wait for that answer, not the page already loaded.
    with page.expect_navigation():
        dialog.get_by_role("button", name="Confirm").click()
    draw = Draw.objects.get(name="Browser draw")
    assert draw.is_frozen and draw.entrant_count == 6
    commitment = page.locator("[data-commitment=list]")
    assert commitment.inner_text() == draw.list_sha256
    assert page.locator("[data-commitment=seed]").inner_text() == draw.seed_sha256

    page.get_by_label("Announced public value").fill("9f86d081884c7d65")
    page.get_by_role("button", name="Draw the winners").click()
    assert "from 6 entrants" in dialog.inner_text()
    with page.expect_navigation():
        dialog.get_by_role("button", name="Confirm").click()
    assert "The winners are drawn" in page.content()
    page.get_by_role("button", name="Log out").click()

    login_in_browser(page, live_server, "alice")
    page.goto(f"{live_server.url}/draws/{draw.pk}/")
    assert page.locator(".draw-winners li").count() == 3
    page.get_by_role("link", name="Verify this draw").click()
    page.wait_for_load_state()
    assert "Verification succeeded" in page.locator("#server-verdict").inner_text()
    browser_check = page.locator("#browser-check")
    browser_check.filter(has_text="The revealed seed matches its SHA-256.").wait_for()
    assert "Your browser computed the same SHA-256 for the list." in browser_check.inner_text()
