"""An employee connects Bluesky with an app password, sees it connected, and disconnects it.

The PDS is tests/fakes/bluesky.py on loopback, named by CONNECTIONS_BLUESKY_SERVICE_URL.
"""

import pytest

from connections.models import ConnectedAccount
from tests.conftest import login_in_browser, page_shows
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.server import serving

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pds(settings, live_server):
    settings.SITE_URL = live_server.url
    settings.REDIS_URL = ""
    with serving() as api:
        settings.CONNECTIONS_BLUESKY_SERVICE_URL = api.url
        yield FakeBluesky(api).install()


def test_an_employee_connects_bluesky_with_an_app_password_and_disconnects_it(page, live_server, pds, alice):
    login_in_browser(page, live_server, "alice")
    page.goto(f"{live_server.url}/me/connections/")
    option = page.locator("[data-connect-option=bluesky]")
    assert "never your main password" in option.inner_text()
    option.get_by_role("link", name="Connect Bluesky").click()

    page_shows(page, "never keep it")
    page.get_by_label("Your Bluesky handle or email").fill("alice.bsky.social")
    page.get_by_role("textbox", name="App password").fill("zzzz-zzzz-zzzz-zzzz")
    page.get_by_role("button", name="Connect Bluesky").click()
    page_shows(page, "Bluesky did not accept that handle and app password")
    assert not ConnectedAccount.objects.exists()

    page.get_by_role("textbox", name="App password").fill("abcd-efgh-ijkl-mnop")
    page.get_by_role("button", name="Connect Bluesky").click()
    page.wait_for_url(f"{live_server.url}/me/connections/")
    page_shows(page, "Bluesky connected as @alice.bsky.social")
    card = page.locator("[data-connected-account=bluesky]")
    assert "alice.bsky.social" in card.inner_text() and "Connected" in card.inner_text()
    account = ConnectedAccount.objects.get(person=alice)
    refresh_token = account.refresh_token
    assert account.access_token not in page.content() and "abcd-efgh-ijkl-mnop" not in page.content()

    card.get_by_role("button", name="Disconnect").click()
    with page.expect_navigation():
        page.get_by_role("dialog").get_by_role("button", name="Disconnect").click()
    page.wait_for_load_state()
    assert "Bluesky disconnected" in page.locator(".messages").inner_text()
    assert "Bluesky ended the session" in page.locator(".messages").inner_text()
    assert page.locator("[data-connected-account=bluesky]").count() == 0
    assert pds.deleted_sessions == [refresh_token]
    assert [r.headers["authorization"] for r in pds.requests_to("com.atproto.server.deleteSession")] == [
        f"Bearer {refresh_token}"
    ]
    assert not ConnectedAccount.objects.exists()
