"""Share from the phone: the share panel hands caption, tracked link and image to the system share sheet.

Desktop Chromium on Linux has no system share sheet, so the test gives the page a navigator.share
that records what it is handed (and a canShare that accepts files), as a phone's browser would.
"""

import pytest

from sharing.models import Share
from tests.conftest import login_in_browser
from tests.content_library.factories import PostImageFactory
from tests.sharing.conftest import make_post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAKE_SHARE_SHEET = """
window.__shared = [];
navigator.canShare = (data) => !data.files || data.files.every(file => file instanceof File);
navigator.share = (data) => {
  window.__shared.push({text: data.text, url: data.url,
                        files: (data.files || []).map(file => ({name: file.name, type: file.type, size: file.size}))});
  return Promise.resolve();
};
"""


def test_the_system_share_sheet_gets_the_caption_the_tracked_link_and_the_image(page, settings, live_server, alice):
    settings.SITE_URL = live_server.url
    post = make_post()
    PostImageFactory(post=post)
    page.set_default_timeout(30_000)
    page.context.add_init_script(FAKE_SHARE_SHEET)
    login_in_browser(page, live_server, "alice")
    page.goto(f"{live_server.url}/library/{post.slug}/")

    share_button = page.get_by_role("button", name="Share from this device…")
    page.locator("input[name=network][value=linkedin]").check()
    page.locator("textarea[name=caption]").fill("Proud of this launch")
    page.locator("[data-web-share][data-image-ready=yes]").wait_for()  # the image is fetched ahead of the tap
    share_button.click()
    # The same caption checks as the Share button: the sheet does not open for a refused caption.
    # (shown by the caption check and again as the reason the Share button is off)
    page.get_by_text("Add #employee so readers know you work here.").first.wait_for()
    assert page.evaluate("window.__shared") == [] and not Share.objects.exists()

    page.locator("textarea[name=caption]").fill("Proud of this launch #employee")
    share_button.click()
    page.get_by_text("Shared. Once you have posted").wait_for()

    share = Share.objects.get(user=alice, post=post)
    [shared] = page.evaluate("window.__shared")
    assert shared["text"] == "Proud of this launch #employee" == share.caption
    assert shared["url"] == f"{live_server.url}/s/{share.code}"
    assert [(f["type"], f["size"] > 0) for f in shared["files"]] == [("image/jpeg", True)]


def test_without_the_web_share_api_the_button_stays_hidden(page, live_server, alice):
    post = make_post()
    login_in_browser(page, live_server, "alice")
    page.goto(f"{live_server.url}/library/{post.slug}/")

    assert page.evaluate("typeof navigator.share") == "undefined"
    assert page.locator("[data-web-share]").is_hidden()
    assert page.get_by_role("button", name="Share", exact=True).is_visible()
