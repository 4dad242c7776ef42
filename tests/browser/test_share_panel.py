"""The share panel as an employee uses it: only the chosen network's fields and card, a Share
button that is off (and says why) while the caption breaks a rule, one share however fast the
clicks, and the caption kept through the policy acknowledgement.

Every off-site request is aborted by Playwright routing, so nothing leaves the machine.
"""

import re

import pytest

from advocacy.counting import counts_as_shared
from guidelines.selectors import policy_version_current
from guidelines.services import acknowledgement_record
from sharing.models import Share
from tests.conftest import login_in_browser
from tests.content_library.factories import PostFactory
from tests.guidelines.factories import make_policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOOD = "I use this app every day, have a look. #employee"


@pytest.fixture
def post(alice):
    make_policy()
    return PostFactory(slug="launch", title="We launched", suggested_caption="We launched the app #employee")


def _stay_local(context, live_server_url):
    context.route(
        "**/*", lambda route: route.continue_() if route.request.url.startswith(live_server_url) else route.abort()
    )


def _open_panel(page, live_server, alice):
    acknowledgement_record(user=alice, version=policy_version_current())
    _stay_local(page.context, live_server.url)
    login_in_browser(page, live_server, "alice")
    page.goto(f"{live_server.url}/library/launch/")


def test_only_the_chosen_networks_fields_and_post_card_show(page, live_server, post, alice):
    _open_panel(page, live_server, alice)
    handle = page.get_by_label("Your Mastodon handle (only for Mastodon)")
    assert page.get_by_role("radio", name="LinkedIn").is_checked()
    assert handle.is_hidden(), "the Mastodon handle showed for LinkedIn"
    assert page.locator("[data-mastodon-handle]").evaluate("el => getComputedStyle(el).display") == "none"
    assert page.locator("[data-share-preview=linkedin]").is_visible()

    page.get_by_role("radio", name="Mastodon").check()
    assert handle.is_visible()
    assert page.locator("[data-share-preview=mastodon]").is_visible()
    assert page.locator("[data-share-preview=linkedin]").is_hidden()

    page.get_by_role("radio", name="X", exact=True).check()
    assert handle.is_hidden()
    card = page.locator("[data-share-preview=x]")
    page.get_by_label("Your caption").fill("Launch day 🎉 #employee")
    # As X counts it (the emoji 2, the link 23), which is not the number of characters.
    expected = counts_as_shared("Launch day 🎉 #employee")["x"]
    card.locator("[data-preview-count]").filter(has_text=f"{expected['count']} / 280").wait_for()
    assert card.locator("[data-preview-text]").inner_text().startswith("Launch day 🎉 #employee ")

    page.get_by_role("radio", name="Threads").check()
    card = page.locator("[data-share-preview=threads]")
    assert card.is_visible() and page.locator("[data-share-preview=x]").is_hidden()
    # As Threads counts it: the emoji is its 4 UTF-8 bytes, the link counts in full after a space.
    expected = counts_as_shared("Launch day 🎉 #employee")["threads"]
    card.locator("[data-preview-count]").filter(has_text=f"{expected['count']} / 500").wait_for()
    assert card.locator("[data-preview-text]").inner_text().startswith("Launch day 🎉 #employee http")


def test_the_share_button_is_off_while_the_caption_breaks_a_rule_and_says_why(page, live_server, post, alice):
    _open_panel(page, live_server, alice)
    button = page.get_by_role("button", name="Share", exact=True)
    reason = page.locator("[data-share-reason]")
    page.get_by_label("Your caption").fill("No disclosure in my words")
    reason.wait_for(state="visible")
    assert button.is_disabled()
    assert "#employee" in reason.inner_text()

    page.get_by_label("Your caption").fill(GOOD)
    reason.wait_for(state="hidden")
    assert button.is_enabled()


def test_a_double_click_sends_one_request_and_shares_once(page, live_server, post, alice):
    _open_panel(page, live_server, alice)
    posts: list[str] = []
    page.context.on(
        "request",
        lambda request: posts.append(request.url) if request.method == "POST" and "/share" in request.url else None,
    )
    page.get_by_label("Your caption").fill(GOOD)
    page.locator("[data-caption-ok]").wait_for(state="visible")
    with page.context.expect_page() as new_tab:
        page.get_by_role("button", name="Share", exact=True).dblclick()
    new_tab.value.wait_for_load_state()
    page.wait_for_timeout(500)
    assert len(posts) == 1, posts
    assert Share.objects.get(user=alice).times_shared == 1
    assert page.context.pages == [page, new_tab.value]


def test_the_caption_typed_before_the_policy_acknowledgement_is_kept(page, live_server, post, alice):
    _stay_local(page.context, live_server.url)
    login_in_browser(page, live_server, "alice")
    page.goto(f"{live_server.url}/library/launch/")
    page.get_by_role("radio", name="Bluesky").check()
    page.get_by_label("Your caption").fill(GOOD)
    page.get_by_role("button", name="Share", exact=True).click()
    page.wait_for_url(re.compile(r"/guidelines/acknowledge/\?next="))
    page.get_by_role("button", name="I have read the policy").click()
    page.wait_for_url(f"{live_server.url}/library/launch/")
    assert page.get_by_label("Your caption").input_value() == GOOD
    assert page.get_by_role("radio", name="Bluesky").is_checked()
