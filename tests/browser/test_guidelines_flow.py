"""An employee is sent to the policy before sharing, acknowledges, and the caption editor checks live."""

import re
import time

import pytest

from guidelines.selectors import policy_version_current
from guidelines.services import acknowledgement_record, banned_term_create
from sharing.models import Share
from tests.conftest import login_in_browser
from tests.content_library.factories import PostFactory
from tests.guidelines.factories import make_policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup(alice):
    make_policy()
    banned_term_create(term="guaranteed returns", reason="We never promise financial results.", created_by=None)
    return PostFactory(slug="launch", title="We launched", suggested_caption="We launched the app #employee")


def _wait_for(condition, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_acknowledge_then_fix_a_flagged_caption_and_share(page, live_server, setup):
    login_in_browser(page, live_server, "alice")
    page.goto(f"{live_server.url}/library/launch/")
    page.get_by_label("Email").check()
    page.get_by_role("button", name="Share", exact=True).click()

    page.wait_for_url(re.compile(r"/guidelines/acknowledge/\?next="))
    assert page.get_by_role("heading", name="Social media policy").is_visible()
    page.get_by_role("button", name="I have read the policy").click()
    page.wait_for_url(f"{live_server.url}/library/launch/")

    editor = page.locator("[data-caption-editor]")
    page.get_by_label("Your caption").fill("Guaranteed returns if you try our app! #employee")
    problem = editor.locator(".caption-problem")
    problem.first.wait_for()
    assert "guaranteed returns" in problem.first.inner_text().lower()
    assert "We never promise financial results." in problem.first.inner_text()

    page.get_by_label("Your caption").fill("I use this app every day, have a look. #employee")
    editor.locator("[data-caption-ok]").wait_for(state="visible")
    assert editor.locator(".caption-problem").count() == 0

    page.get_by_label("Email").check()
    page.get_by_role("button", name="Share", exact=True).click(no_wait_after=True)
    assert _wait_for(lambda: Share.objects.filter(user__username="alice").exists())
    share = Share.objects.get(user__username="alice")
    assert share.caption == "I use this app every day, have a look. #employee"
    assert share.policy_version == policy_version_current()


def test_the_editor_counts_per_network_and_nudges(page, live_server, setup, alice):
    acknowledgement_record(user=alice, version=policy_version_current())
    login_in_browser(page, live_server, "alice")
    page.goto(f"{live_server.url}/guidelines/try/launch/")
    editor = page.locator("[data-caption-editor]")
    editor.locator("[data-caption-nudge]").wait_for(state="visible")  # the suggestion, word for word

    page.get_by_label("X", exact=True).check()
    page.get_by_label("Your caption").fill("a" * 290 + " #employee")
    summary = editor.locator("[data-caption-count-summary]")
    summary.filter(has_text="too long").wait_for()
    assert "X: 324 of 280" in summary.inner_text()  # with a space and the tracked link, 23 on X
    assert editor.locator('.caption-problem[data-code="too_long"]').count() == 1

    page.get_by_label("LinkedIn").check()
    summary.filter(has_text="LinkedIn: 335 of 3000").wait_for()  # a blank line and the 33-character link
    editor.locator("[data-caption-ok]").wait_for(state="visible")
