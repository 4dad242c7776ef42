"""An employee shares a post to every network; a click from someone else shows up after the drain.

Every request to a network or to the post's destination is answered by Playwright
routing, so nothing leaves the machine.
"""

from urllib.parse import parse_qs, urlsplit

import pytest

from sharing import clickstream
from sharing.models import Share
from sharing.tasks import drain_clicks
from tests.conftest import login_in_browser, page_shows
from tests.sharing.conftest import HUMAN_UA, make_post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CAPTION = "We shipped it, and I am proud of this team. #employee"
INTENT_HOSTS = {"www.linkedin.com", "x.com", "www.facebook.com", "fosstodon.org", "bsky.app"}


@pytest.fixture
def sharing_site(settings, live_server, redis_url):
    settings.SITE_URL = live_server.url
    settings.REDIS_URL = redis_url
    clickstream.reset_state()
    yield live_server
    clickstream.reset_state()


def _fake_networks(context, opened: list[str], live_server_url: str):
    """Answer every off-site request locally and remember where the browser was sent."""

    def handle(route):
        url = route.request.url
        if url.startswith(live_server_url):
            route.continue_()
            return
        if urlsplit(url).hostname in INTENT_HOSTS and route.request.is_navigation_request():
            opened.append(url)
            route.fulfill(status=200, content_type="text/html", body="<title>network</title><p>composer</p>")
        else:
            route.abort()

    context.route("**/*", handle)


def _share_from_the_panel(page, live_server, post, network, opened, *, handle=""):
    page.goto(f"{live_server.url}/library/{post.slug}/")
    page.locator(f"input[name=network][value={network}]").check()
    if handle:
        page.get_by_label("Your Mastodon handle (only for Mastodon)").fill(handle)
    page.locator("textarea[name=caption]").fill(CAPTION)
    with page.context.expect_page() as new_tab:
        page.get_by_role("button", name="Share", exact=True).click()
    tab = new_tab.value
    # The new tab lands on our hand-off page, which forwards to the network.
    tab.wait_for_url(lambda url: urlsplit(url).hostname in INTENT_HOSTS)
    assert "new tab" in page.locator("[data-share-status]").inner_text()
    tab.close()
    return opened[-1]


def test_an_employee_shares_everywhere_and_a_strangers_click_is_counted_after_the_drain(
    page, browser, sharing_site, alice
):
    live_server = sharing_site
    # No destination of its own: the tracked link leads to the post's public landing page here.
    post = make_post(destination_url="")
    opened: list[str] = []
    _fake_networks(page.context, opened, live_server.url)
    login_in_browser(page, live_server, "alice")

    checks = {
        "linkedin": ("www.linkedin.com", "/feed/", "text"),
        "x": ("x.com", "/intent/tweet", "text"),
        "facebook": ("www.facebook.com", "/sharer/sharer.php", None),
        "mastodon": ("fosstodon.org", "/share", "text"),
        "bluesky": ("bsky.app", "/intent/compose", "text"),
    }
    for network, (host, path, text_param) in checks.items():
        handle = "@alice@fosstodon.org" if network == "mastodon" else ""
        intent = urlsplit(_share_from_the_panel(page, live_server, post, network, opened, handle=handle))
        share = Share.objects.get(user=alice, post=post, network=network)
        link = f"{live_server.url}/s/{share.code}"
        query = parse_qs(intent.query)
        assert (intent.hostname, intent.path) == (host, path), network
        if network == "x":
            assert query == {"text": [CAPTION], "url": [link]}
        elif text_param:
            assert query[text_param] == [f"{CAPTION}\n\n{link}"], network
        else:
            assert query == {"u": [link]}
        assert share.caption == CAPTION

    # Email goes through the same form; the browser hands mailto: to the mail program.
    page.goto(f"{live_server.url}/library/{post.slug}/")
    page.locator("input[name=network][value=email]").check()
    page.locator("textarea[name=caption]").fill(CAPTION)
    page.get_by_role("button", name="Share", exact=True).click()
    page.wait_for_url("**/shares/*/open/**")
    mail = page.get_by_role("link", name="Open Email").get_attribute("href")
    email_share = Share.objects.get(user=alice, network="email")
    assert mail.startswith("mailto:?subject=We%20launched%20the%20new%20app&body=")
    assert parse_qs(urlsplit(mail).query)["body"] == [
        f"{CAPTION}\r\n\r\n{live_server.url}/s/{email_share.code}"
    ]  # RFC 6068
    assert Share.objects.filter(user=alice).count() == 6

    # Someone else clicks alice's LinkedIn link in their own browser.
    linkedin = Share.objects.get(user=alice, network="linkedin")
    stranger = browser.new_context(user_agent=HUMAN_UA)
    landed: list[str] = []
    _fake_networks(stranger, landed, live_server.url)
    visitor = stranger.new_page()
    visitor.goto(f"{live_server.url}/s/{linkedin.code}")
    assert visitor.url == (
        f"{live_server.url}/p/{linkedin.code}/?utm_source=linkedin&utm_medium=employee_advocacy&utm_campaign=launch-day"
    )
    assert visitor.get_by_role("heading", level=1).inner_text() == post.title
    assert visitor.locator('meta[property="og:title"]').get_attribute("content") == post.title
    stranger.close()

    page.goto(f"{live_server.url}/activity/")
    row = page.locator(f"#share-{linkedin.pk}")
    assert row.locator("[data-human-clicks]").inner_text() == "0"
    drain_clicks()
    page.reload()
    assert row.locator("[data-human-clicks]").inner_text() == "1"
    assert "6 shares, 1 human click" in page.locator("main").inner_text()

    # Paste the published post's URL.
    row_form = row.locator("form")
    row_form.locator("input[name=url]").fill(
        "https://www.linkedin.com/feed/update/urn:li:activity:7123456789012345678/"
    )
    row_form.get_by_role("button").click()
    page.wait_for_load_state()
    page_shows(page, "Saved the link to your LinkedIn post")
    linkedin.refresh_from_db()
    assert linkedin.published_post_id == "urn:li:activity:7123456789012345678"
