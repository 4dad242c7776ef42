"""A person signs in through the OpenID Connect provider's real login form, in Chromium."""

import pytest

from advocacy.people.models import User
from advocacy.people.roles import Role
from advocacy.people.selectors import user_roles

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _provider_form(page, login, password):
    page.get_by_label("Email or user name").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in to Example Corp").click()
    page.wait_for_load_state()


def test_sign_in_just_in_time_sign_out_then_refused_once_the_provider_disables_the_account(
    page, live_server, oidc_peer, tmp_path
):
    peer = oidc_peer(base_url=live_server.url)
    csp_problems = []
    page.on("console", lambda message: csp_problems.append(message.text) if "Refused to" in message.text else None)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Example Corp").click()
    page.wait_for_url(f"{peer.issuer}/interaction/**")
    _provider_form(page, "erin@example.com", "erin-pass")
    page.wait_for_url(f"{live_server.url}/**")
    assert page.get_by_role("link", name="Erin Example").is_visible()
    page.screenshot(path=str(tmp_path / "signed-in.png"), full_page=True)
    erin = User.objects.get(email="erin@example.com")
    assert erin.team.name == "Engineering"
    assert Role.COMMS_ADMIN.value in user_roles(user=erin)

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{peer.issuer}/session/end**")
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert page.get_by_role("link", name="Sign in with Example Corp").is_visible()
    assert page.goto(f"{live_server.url}/profile/").url.startswith(f"{live_server.url}/accounts/login/")

    peer.control("/_test/users/u-erin/disable")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Example Corp").click()
    # The provider's session ended with ours, so it asks for the password again.
    page.wait_for_url(f"{peer.issuer}/interaction/**")
    _provider_form(page, "erin@example.com", "erin-pass")
    page.wait_for_url(f"{live_server.url}/sso/oidc/callback/**")
    assert page.get_by_role("heading", name="We could not sign you in").is_visible()
    assert "disabled at Example Corp" in page.get_by_role("alert").inner_text()
    page.screenshot(path=str(tmp_path / "refused.png"), full_page=True)
    assert page.goto(f"{live_server.url}/profile/").url.startswith(f"{live_server.url}/accounts/login/")
    assert csp_problems == []
