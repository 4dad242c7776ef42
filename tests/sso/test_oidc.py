"""OpenID Connect sign-in against a real provider (node-oidc-provider on loopback)."""

import logging
from urllib.parse import parse_qs, urlsplit

import pytest

from advocacy.people.models import ExternalIdentity, User
from advocacy.people.roles import Role
from advocacy.people.selectors import user_roles

from .provider_browsing import through_oidc_login

pytestmark = pytest.mark.django_db


def _start(client, next_url=""):
    response = client.get("/sso/oidc/login/" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response.content[:300]
    return response["Location"]


def _sign_in(client, login="u-erin", password="erin-pass", next_url=""):
    callback = through_oidc_login(_start(client, next_url), login=login, password=password)
    return client.get(callback), callback


def test_it_sends_the_browser_to_the_provider_with_pkce_and_a_nonce(client, oidc_peer):
    peer = oidc_peer()
    query = parse_qs(urlsplit(_start(client)).query)
    assert _start(client).startswith(peer.issuer + "/auth?")
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["nonce"][0] and query["state"][0]
    assert query["redirect_uri"] == ["http://testserver/sso/oidc/callback/"]


def test_it_creates_the_person_just_in_time_with_the_mapped_team_and_role(client, oidc_peer):
    peer = oidc_peer()
    response, _ = _sign_in(client, next_url="/library/")
    assert response.status_code == 302 and response["Location"] == "/library/"
    erin = User.objects.get(email="erin@example.com")
    assert erin.display_name == "Erin Example" and erin.team.name == "Engineering"
    assert sorted(user_roles(user=erin)) == sorted([Role.EMPLOYEE.value, Role.COMMS_ADMIN.value])
    assert not erin.has_usable_password()
    assert ExternalIdentity.objects.get(user=erin).source == f"oidc:{peer.issuer}"
    assert client.get("/profile/").status_code == 200


def test_a_later_sign_in_updates_the_mapped_fields_and_keeps_the_person(client, oidc_peer, engineering):
    users = {"u-erin": {"password": "p", "email": "erin@example.com", "name": "Erin", "department": "Sales"}}
    oidc_peer(users=users)
    _sign_in(client, password="p")
    first = User.objects.get(email="erin@example.com")
    assert first.team.name == "Sales"
    client.logout()
    users["u-erin"].update(name="Erin Renamed", department="Engineering")
    oidc_peer(users=users)  # the provider's directory changed
    _sign_in(client, password="p")
    erin = User.objects.get(email="erin@example.com")
    assert erin.pk == first.pk and erin.display_name == "Erin Renamed" and erin.team == engineering
    assert User.objects.filter(email="erin@example.com").count() == 1


def test_the_same_callback_twice_is_refused_and_the_code_cannot_be_replayed(client, oidc_peer, caplog):
    oidc_peer()
    response, callback = _sign_in(client)
    assert response.status_code == 302
    client.logout()
    again = client.get(callback)
    assert again.status_code == 400
    assert b"already used" in again.content
    # A fresh attempt of ours with the old code: the provider refuses the redeemed code.
    state = parse_qs(urlsplit(_start(client)).query)["state"][0]
    code = parse_qs(urlsplit(callback).query)["code"][0]
    issuer = parse_qs(urlsplit(callback).query)["iss"][0]
    with caplog.at_level(logging.WARNING, logger="sso"):
        replay = client.get("/sso/oidc/callback/", {"code": code, "state": state, "iss": issuer})
    assert replay.status_code == 400
    assert b"already used or has expired" in replay.content
    assert "_auth_user_id" not in client.session
    assert code not in caplog.text and state not in caplog.text
    assert "invalid_grant" in caplog.text


def test_a_state_that_was_never_started_here_is_refused(client, oidc_peer):
    oidc_peer()
    response = client.get("/sso/oidc/callback/", {"code": "abc", "state": "forged"})
    assert response.status_code == 400
    assert b"was not started here" in response.content


def test_an_expired_sign_in_is_refused(client, oidc_peer, settings):
    oidc_peer()
    callback = through_oidc_login(_start(client), login="u-erin", password="erin-pass")
    session = client.session
    for attempt in session["sso_oidc_pending"].values():
        attempt["started_at"] -= settings.SSO_STATE_MAX_AGE_SECONDS + 1
    session.save()
    response = client.get(callback)
    assert response.status_code == 400
    assert b"has expired" in response.content
    assert not User.objects.filter(email="erin@example.com").exists()


def test_an_answer_naming_another_issuer_is_refused(client, oidc_peer):
    oidc_peer()
    callback = through_oidc_login(_start(client), login="u-erin", password="erin-pass")
    forged = callback.replace("iss=http", "iss=https%3A%2F%2Fevil.example%2F&x=http")
    response = client.get(forged)
    assert response.status_code == 400
    assert b"does not know (https://evil.example/)" in response.content


def test_a_provider_whose_discovery_names_another_issuer_is_refused(client, oidc_peer, settings):
    peer = oidc_peer()
    settings.OIDC_ISSUER = peer.issuer.replace("127.0.0.1", "localhost")
    response = client.get("/sso/oidc/login/")
    assert response.status_code == 400
    assert b"does not know" in response.content and peer.issuer.encode() in response.content


def test_a_missing_email_claim_is_a_clear_refusal(client, oidc_peer):
    oidc_peer()
    response, _ = _sign_in(client, login="u-nomail", password="nomail-pass")
    assert response.status_code == 403
    assert b"did not send an email address" in response.content
    assert not User.objects.filter(display_name="No Mail").exists()


def test_an_account_the_provider_disabled_is_refused(client, oidc_peer):
    peer = oidc_peer()
    assert _sign_in(client, login="u-hank", password="hank-pass")[0].status_code == 302
    client.logout()
    peer.control("/_test/users/u-hank/disable")
    response, _ = _sign_in(client, login="u-hank", password="hank-pass")
    assert response.status_code == 403
    assert b"refused to sign you in" in response.content and b"disabled at Example Corp" in response.content
    assert "_auth_user_id" not in client.session


def test_a_person_deactivated_here_is_refused_even_though_the_provider_says_yes(client, oidc_peer):
    oidc_peer()
    _sign_in(client, login="u-hank", password="hank-pass")
    client.logout()
    User.objects.filter(email="hank@example.com").update(is_active=False)
    response, _ = _sign_in(client, login="u-hank", password="hank-pass")
    assert response.status_code == 403
    assert b"has been deactivated" in response.content


def test_a_provider_that_cannot_be_reached_is_a_clear_page(client, oidc_peer, settings):
    peer = oidc_peer()
    peer.stop()
    response = client.get("/sso/oidc/login/")
    assert response.status_code == 502
    assert b"did not answer" in response.content


def test_logout_ends_the_session_here_and_hands_over_to_the_provider(client, oidc_peer):
    peer = oidc_peer()
    _sign_in(client)
    response = client.post("/accounts/logout/")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    provider_url = response.context["provider_url"]
    assert provider_url.startswith(f"{peer.issuer}/session/end?")
    query = parse_qs(urlsplit(provider_url).query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/accounts/login/"]
    assert query["id_token_hint"][0].count(".") == 2


def test_a_local_session_logs_out_as_before(client, alice):
    client.force_login(alice)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


def test_with_oidc_off_its_pages_are_not_there(client):
    assert client.get("/sso/oidc/login/").status_code == 404
    assert client.get("/sso/oidc/callback/", {"code": "x", "state": "y"}).status_code == 404


@pytest.mark.parametrize(
    ("our_clock", "signed_in"),
    [(-30, True), (-300, False), (+400, False)],
    ids=["30s-slow-within-skew", "5min-slow-token-from-the-future", "7min-fast-token-expired"],
)
def test_clock_skew_beyond_the_leeway_is_refused(client, oidc_peer, monkeypatch, our_clock, signed_in):
    """The provider signs with its own clock; ours is moved (ID tokens from the peer live 300 s)."""
    import time

    from joserfc._rfc7519 import claims as jwt_claims

    oidc_peer()
    monkeypatch.setattr(jwt_claims, "_generate_now", lambda: int(time.time()) + our_clock)
    response, _ = _sign_in(client)
    if signed_in:
        assert response.status_code == 302
    else:
        assert response.status_code == 400
        assert b"clock and the provider" in response.content
        assert not User.objects.filter(email="erin@example.com").exists()
