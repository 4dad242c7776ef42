"""The design system's moving parts in a real browser: the phone's menu button, the laptop's
one-line menu, the <dialog> of a <form data-confirm> and a Share button that sends one request
however fast it is clicked.
"""

import pytest

from draws.models import Draw
from guidelines.selectors import policy_version_current
from guidelines.services import acknowledgement_record
from sharing.models import Share
from tests.browser.pages import HEADER_ROWS
from tests.conftest import login_in_browser, nav_link
from tests.content_library.factories import PostFactory
from tests.draws.helpers import make_draw
from tests.guidelines.factories import make_policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}


def _page_at(browser, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def _posts_to(page, path_part: str) -> list[str]:
    sent: list[str] = []
    page.context.on(
        "request",
        lambda request: sent.append(request.url) if request.method == "POST" and path_part in request.url else None,
    )
    return sent


def test_on_a_phone_the_menu_hides_behind_a_button_that_opens_it(browser, live_server, alice):
    page = _page_at(browser, PHONE)
    login_in_browser(page, live_server, "alice")
    nav = page.get_by_role("navigation", name="Main")
    button = page.get_by_role("button", name="Menu")
    assert nav.is_hidden()
    assert button.is_visible() and button.get_attribute("aria-expanded") == "false"

    button.click()
    assert nav.is_visible() and button.get_attribute("aria-expanded") == "true"
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    nav_link(page, "Leaderboard").click()
    page.wait_for_url(f"{live_server.url}/leaderboard/**")
    assert page.get_by_role("heading", level=1).inner_text() == "Leaderboard"
    assert page.get_by_role("navigation", name="Main").is_hidden(), "the menu stays closed on the next page"
    page.context.close()


def test_on_a_laptop_the_comms_menu_fits_on_one_line_without_a_menu_button(browser, live_server, casey):
    page = _page_at(browser, LAPTOP)
    login_in_browser(page, live_server, "casey")
    page.goto(f"{live_server.url}/comms/library/posts/")
    assert page.get_by_role("navigation", name="Main").is_visible()
    assert page.get_by_role("button", name="Menu").is_hidden()
    assert page.locator(".site-nav [data-section=comms]").count() == 1, "casey sees the comms section"
    assert page.evaluate(HEADER_ROWS) == 1
    page.context.close()


def test_a_confirm_form_asks_in_a_dialog_cancel_keeps_it_and_confirm_submits_once(browser, live_server, harper):
    draw = make_draw(state="open")
    page = _page_at(browser, LAPTOP)
    login_in_browser(page, live_server, "harper")
    page.goto(f"{live_server.url}/hr/draws/{draw.pk}/")
    freezes = _posts_to(page, f"/hr/draws/{draw.pk}/freeze")
    freeze = page.get_by_role("button", name="Close entries now and freeze")
    dialog = page.get_by_role("dialog")

    freeze.click()
    assert dialog.is_visible()
    assert f"Freeze the entrant list of “{draw.name}”?" in dialog.inner_text()
    dialog.get_by_role("button", name="Cancel").click()
    assert dialog.is_hidden()
    page.wait_for_timeout(300)
    assert freezes == [] and not Draw.objects.get(pk=draw.pk).is_frozen

    freeze.click()
    with page.expect_navigation():
        dialog.get_by_role("button", name="Confirm").dblclick()
    page.wait_for_load_state()
    page.wait_for_timeout(300)
    assert len(freezes) == 1, freezes
    assert Draw.objects.get(pk=draw.pk).is_frozen
    page.context.close()


def test_a_double_click_on_share_on_a_phone_sends_one_request(browser, live_server, alice):
    make_policy()
    PostFactory(slug="launch", title="We launched", suggested_caption="We launched the app #employee")
    acknowledgement_record(user=alice, version=policy_version_current())
    page = _page_at(browser, PHONE)
    page.context.route(
        "**/*", lambda route: route.continue_() if route.request.url.startswith(live_server.url) else route.abort()
    )
    login_in_browser(page, live_server, "alice")
    page.goto(f"{live_server.url}/library/launch/")
    shares = _posts_to(page, "/share")
    page.get_by_label("Your caption").fill("I use this app every day, have a look. #employee")
    page.locator("[data-caption-ok]").wait_for(state="visible")
    with page.context.expect_page() as new_tab:
        page.get_by_role("button", name="Share", exact=True).dblclick()
    new_tab.value.wait_for_load_state()
    page.wait_for_timeout(500)
    assert len(shares) == 1, shares
    assert Share.objects.get(user=alice).times_shared == 1
    page.context.close()


def test_the_markdown_toolbar_formats_the_selection_and_the_preview_beside_it_follows(browser, live_server, casey):
    document = make_policy()
    page = _page_at(browser, LAPTOP)
    login_in_browser(page, live_server, "casey")
    page.goto(f"{live_server.url}/guidelines/manage/documents/{document.pk}/")
    source = page.locator("[data-markdown-split] textarea.markdown-source")
    preview = page.locator("[data-markdown-preview]")
    source.fill("Be kind")
    source.evaluate("textarea => textarea.setSelectionRange(3, 7)")
    page.get_by_role("toolbar", name="Formatting").get_by_role("button", name="Bold").click()
    assert source.input_value() == "Be **kind**"
    preview.locator("strong", has_text="kind").wait_for()
    # Side by side on a laptop: the preview's left edge is right of the text's.
    assert preview.bounding_box()["x"] > source.bounding_box()["x"] + source.bounding_box()["width"] / 2
    page.context.close()
