"""A person signs in through the SAML IdP's real login form, in Chromium (its answer is a cross-site POST)."""

import pytest

from advocacy.people.models import User
from advocacy.people.roles import Role
from advocacy.people.selectors import user_roles

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _idp_form(page, login, password):
    page.get_by_label("Email or user name").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in to Example Corp").click()


def test_sign_in_through_the_idp_then_refused_once_it_disables_the_account(page, live_server, saml_peer, tmp_path):
    peer = saml_peer(base_url=live_server.url)
    csp_problems = []
    page.on("console", lambda message: csp_problems.append(message.text) if "Refused to" in message.text else None)

    page.goto(f"{live_server.url}/accounts/login/?next=/profile/")
    page.get_by_role("link", name="Sign in with Example Corp").click()
    page.wait_for_url(f"{peer.issuer}/sso?**")
    _idp_form(page, "u-erin", "erin-pass")
    page.wait_for_url(f"{live_server.url}/profile/")
    assert page.get_by_role("link", name="Erin Example").is_visible()
    page.screenshot(path=str(tmp_path / "saml-signed-in.png"), full_page=True)
    erin = User.objects.get(email="erin@example.com")
    assert erin.team.name == "Engineering" and Role.COMMS_ADMIN.value in user_roles(user=erin)

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")

    peer.control("/_test/users/u-erin/disable")
    page.get_by_role("link", name="Sign in with Example Corp").click()
    page.wait_for_url(f"{peer.issuer}/sso?**")
    _idp_form(page, "u-erin", "erin-pass")
    page.wait_for_url(f"{live_server.url}/sso/saml/acs/")
    assert page.get_by_role("heading", name="We could not sign you in").is_visible()
    assert "refused to sign you in" in page.get_by_role("alert").inner_text()
    assert page.goto(f"{live_server.url}/profile/").url.startswith(f"{live_server.url}/accounts/login/")
    assert csp_problems == []
