"""One caption, one number: the employee's caption editor, the comms preview and the API agree.

Seen before: 155, 172 and 320 for one Chinese caption, because the comms preview counted in
JavaScript its own way and nobody counted the tracked link the share adds.
"""

import time

import pytest
from django.test import Client

from guidelines.selectors import policy_version_current
from guidelines.services import acknowledgement_record
from tests.conftest import login_in_browser
from tests.content_library.factories import PostFactory
from tests.guidelines.factories import make_policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHINESE = "我们发布了全新的应用程序，欢迎大家下载试用并分享你的反馈意见！" * 2 + " #employee"
NETWORKS = ("linkedin", "x", "facebook", "mastodon", "bluesky", "threads", "email")


def _settle(read, expected, timeout=10):
    """Poll what the page shows until it is what we expect (the counts arrive asynchronously)."""
    deadline, seen = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        seen = read()
        if seen == expected:
            break
        time.sleep(0.1)
    return seen


def _api_counts(user, post):
    client = Client()
    client.force_login(user)
    check = client.post(
        "/api/guidelines/caption-check/",
        {"post": post.pk, "network": "x", "caption": CHINESE},
        content_type="application/json",
    ).json()["counts"]
    count = client.post(
        "/api/guidelines/caption-count/",
        {"captions": dict.fromkeys(NETWORKS, CHINESE)},
        content_type="application/json",
    ).json()["counts"]
    assert check == count
    return {network: check[network]["count"] for network in NETWORKS}


def test_a_chinese_caption_has_the_same_count_in_both_editors_and_the_api(page, live_server, alice, casey):
    acknowledgement_record(user=alice, version=make_policy().versions.get())
    assert policy_version_current() is not None
    post = PostFactory(slug="launch", title="We launched", suggested_caption="We launched the app #employee")
    api = _api_counts(alice, post)
    assert api["x"] == 62 * 2 + 10 + 1 + 23  # CJK counts double on X; the link after a space counts 23

    # The employee's caption editor.
    login_in_browser(page, live_server, "alice")
    page.goto(f"{live_server.url}/guidelines/try/launch/")
    page.get_by_label("X", exact=True).check()
    page.get_by_label("Your caption").fill(CHINESE)
    editor = page.locator("[data-caption-editor]")

    def employee_counts():
        rows = editor.locator("[data-caption-counts] li")
        return {
            rows.nth(i).get_attribute("data-network"): int(rows.nth(i).locator("[data-count]").text_content())
            for i in range(rows.count())
        }

    assert _settle(employee_counts, api) == api
    summary = editor.locator("[data-caption-count-summary]").inner_text()
    assert f"X: {api['x']} of 280" in summary

    # The comms editor's live preview, for the same text.
    page.context.clear_cookies()
    login_in_browser(page, live_server, "casey")
    page.goto(f"{live_server.url}/comms/library/posts/{post.pk}/edit/")
    page.get_by_label("Suggested caption").fill(CHINESE)

    def comms_counts():
        shown = {}
        for network in NETWORKS:
            text = page.locator(f".preview-card[data-network='{network}'] [data-preview-count]").inner_text()
            shown[network] = int(text.split(" / ")[0]) if " / " in text else text
        return shown

    assert _settle(comms_counts, api) == api
    x_card = page.locator(".preview-card[data-network='x'] [data-preview-count]").inner_text()
    assert x_card.startswith(f"{api['x']} / 280 characters with the link")

    # The comms post page counts the saved caption the same way.
    page.get_by_role("button", name="Save post").click()
    page.wait_for_url(f"{live_server.url}/comms/library/posts/{post.pk}/")
    assert _settle(comms_counts, api) == api
