"""An employee connects their Mastodon account at their own instance, sees it connected, and disconnects it.

The instance is tests/fakes/mastodon.py on loopback; METRICS_MASTODON_INSTANCE_URLS maps the
host the employee types to it, as an operator's setting would.
"""

import pytest

from connections.models import ConnectedAccount
from tests.conftest import login_in_browser, page_shows
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import serving

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def instance(settings, live_server):
    settings.SITE_URL = live_server.url
    settings.REDIS_URL = ""
    with serving() as api:
        settings.METRICS_MASTODON_INSTANCE_URLS = {"mastodon.example": api.url}
        yield FakeMastodon(api, host="mastodon.example")


def test_an_employee_connects_mastodon_sees_it_connected_and_disconnects_it(page, live_server, instance, alice):
    alice.mastodon_handle = "@alice@mastodon.example"
    alice.save()
    login_in_browser(page, live_server, "alice")
    page.goto(f"{live_server.url}/me/connections/")
    option = page.locator("[data-connect-option=mastodon]")
    assert "we ask only to post and read your posts" in option.inner_text()
    option.get_by_role("link", name="Connect Mastodon").click()

    field = page.get_by_label("Your Mastodon instance")
    assert field.input_value() == "mastodon.example", "prefilled from the profile's handle"
    field.fill("https://Mastodon.example/")
    page.get_by_role("button", name="Continue to your instance").click()
    page.get_by_role("link", name="Continue to mastodon.example").click()

    # The instance's own page: approve there.
    page.wait_for_url(f"{instance.api.url}/oauth/authorize?*")
    page_shows(page, "Authorization required")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url(f"{live_server.url}/me/connections/")

    card = page.locator("[data-connected-account=mastodon]")
    assert "Mastodon connected as @alice@mastodon.example" in page.locator(".messages").inner_text()
    assert "@alice@mastodon.example" in card.inner_text() and "Connected" in card.inner_text()
    (token,) = instance.tokens
    assert token not in page.content()
    assert ConnectedAccount.objects.get(person=alice).access_token == token

    card.get_by_role("button", name="Disconnect").click()
    with page.expect_navigation():
        page.get_by_role("dialog").get_by_role("button", name="Disconnect").click()
    page.wait_for_load_state()
    assert "Mastodon disconnected" in page.locator(".messages").inner_text()
    assert "Your instance revoked the token" in page.locator(".messages").inner_text()
    assert page.locator("[data-connected-account=mastodon]").count() == 0
    assert instance.revoked == [token]
    assert not ConnectedAccount.objects.exists()


def test_declining_at_the_instance_says_so_and_connects_nothing(page, live_server, instance, alice):
    login_in_browser(page, live_server, "alice")
    page.goto(f"{live_server.url}/me/connections/mastodon/")
    page.get_by_label("Your Mastodon instance").fill("mastodon.example")
    page.get_by_role("button", name="Continue to your instance").click()
    page.get_by_role("link", name="Continue to mastodon.example").click()
    page.get_by_role("button", name="Deny").click()
    page.wait_for_url(f"{live_server.url}/me/connections/")
    assert "You declined at mastodon.example, so nothing was connected" in page.locator(".messages").inner_text()
    assert not ConnectedAccount.objects.exists()
