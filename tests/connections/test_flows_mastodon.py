"""Connecting Mastodon: our app registered once per instance, the employee approves there, we store the account."""

import socket
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils.html import escape

from connections.flows.mastodon import PENDING_KEY
from connections.models import ConnectedAccount, OAuthApp
from tests.connections.conftest import MASTODON_HOST
from tests.fakes.server import Reply

pytestmark = pytest.mark.django_db

CALLBACK = "https://advocacy.example/me/connections/mastodon/callback/"
SCOPES = "profile write:statuses write:media read:statuses"


def start(client, instance=MASTODON_HOST) -> str:
    response = client.post(reverse("connections:connect_mastodon"), {"instance": instance})
    assert response.status_code == 200 and "authorize_url" in response.context, response.content.decode()[:500]
    url = response.context["authorize_url"]
    assert f'href="{escape(url)}"' in response.content.decode()
    return url


def finish(client, location: str):
    """Follow the instance's redirect back to our callback (on the test client), then to the health page."""
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CALLBACK
    return client.get(parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}, follow=True)


def connect_through(client, mastodon, *, approve=True):
    return finish(client, mastodon.decide(start(client), approve=approve))


def test_the_health_page_offers_mastodon_and_says_what_connecting_involves(client, alice):
    client.force_login(alice)
    page = client.get(reverse("connections:my_connections")).content.decode()
    assert f'href="{reverse("connections:connect_mastodon")}"' in page
    assert "Sign in at your own instance; we ask only to post and read your posts" in page


def test_the_instance_is_prefilled_from_the_profiles_mastodon_handle(client, alice):
    alice.mastodon_handle = "@alice@Fosstodon.org"
    alice.save()
    client.force_login(alice)
    page = client.get(reverse("connections:connect_mastodon")).content.decode()
    assert 'value="fosstodon.org"' in page
    assert "write:statuses" in page and "read:statuses" in page


def test_connecting_registers_our_app_sends_the_employee_to_approve_and_stores_the_account(client, alice, mastodon):
    client.force_login(alice)
    authorize = start(client)

    (registration,) = mastodon.api.requests_to("/api/v1/apps")
    assert registration.form == {
        "client_name": ["Advocacy"],  # the programme's name (branding),
        "redirect_uris": [CALLBACK],
        "scopes": [SCOPES],
        "website": ["https://advocacy.example"],
    }
    parts = urlsplit(authorize)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{mastodon.api.url}/oauth/authorize"
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert query["client_id"] == "client-1" and query["redirect_uri"] == CALLBACK and query["scope"] == SCOPES
    assert query["response_type"] == "code" and query["code_challenge_method"] == "S256"
    assert len(query["state"]) >= 32 and len(query["code_challenge"]) == 43

    page = finish(client, mastodon.decide(authorize)).content.decode()

    assert "Mastodon connected as @alice@mastodon.example" in page
    (exchange,) = mastodon.api.requests_to("/oauth/token")
    form = {key: values[0] for key, values in exchange.form.items()}
    assert form["grant_type"] == "authorization_code" and form["redirect_uri"] == CALLBACK
    assert form["client_id"] == "client-1" and form["client_secret"] == mastodon.apps["client-1"]["client_secret"]
    assert form["scope"] == SCOPES and len(form["code_verifier"]) == 64
    (credentials,) = mastodon.api.requests_to("/api/v1/accounts/verify_credentials")
    (token,) = mastodon.tokens
    assert credentials.headers["authorization"] == f"Bearer {token}"

    account = ConnectedAccount.objects.get(person=alice)
    assert (account.network, account.handle, account.remote_account_id) == (
        "mastodon",
        "@alice@mastodon.example",
        mastodon.account_id,
    )
    assert account.instance_url == "https://mastodon.example" and account.scopes == SCOPES
    assert account.access_token == token and account.expires_at is None
    assert account.oauth_client_id == "client-1"
    assert account.oauth_client_secret == mastodon.apps["client-1"]["client_secret"]
    assert client.session[PENDING_KEY] == {}, "the state is used once"


def test_our_app_is_registered_once_per_instance_and_its_secret_stored_encrypted(client, alice, bob, mastodon):
    for person in (alice, bob):
        client.force_login(person)
        connect_through(client, mastodon)
    assert len(mastodon.api.requests_to("/api/v1/apps")) == 1
    (app,) = OAuthApp.objects.all()
    assert (app.instance_url, app.redirect_uri, app.client_id) == ("https://mastodon.example", CALLBACK, "client-1")
    secret = mastodon.apps["client-1"]["client_secret"]
    assert app.client_secret == secret and secret not in app.client_secret_encrypted and secret not in repr(app)
    assert ConnectedAccount.objects.filter(network="mastodon").count() == 2


def test_a_server_older_than_4_3_is_asked_for_read_accounts_without_pkce(client, alice, mastodon):
    mastodon.supports_profile_scope = False
    client.force_login(alice)
    authorize = start(client)
    query = parse_qs(urlsplit(authorize).query)
    assert query["scope"] == ["read:accounts write:statuses write:media read:statuses"]
    assert "code_challenge" not in query
    finish(client, mastodon.decide(authorize))
    assert "code_verifier" not in mastodon.api.requests_to("/oauth/token")[0].form
    assert ConnectedAccount.objects.get(person=alice).scopes == "read:accounts write:statuses write:media read:statuses"


def test_a_registration_without_the_scopes_we_now_ask_for_is_made_again(client, alice, mastodon):
    mastodon.supports_profile_scope = False
    client.force_login(alice)
    start(client)
    mastodon.supports_profile_scope = True  # the instance upgraded to 4.3
    start(client)
    assert len(mastodon.api.requests_to("/api/v1/apps")) == 2
    assert OAuthApp.objects.get().scopes == SCOPES


def test_a_state_that_was_not_started_here_is_refused_and_nothing_is_stored(client, alice, mastodon):
    client.force_login(alice)
    location = mastodon.decide(start(client))
    forged = location.replace("state=", "state=forged")
    page = finish(client, forged).content.decode()
    assert "not started here, or it was already used" in page
    assert mastodon.api.requests_to("/oauth/token") == []
    assert not ConnectedAccount.objects.exists()


def test_a_state_is_used_once(client, alice, mastodon):
    client.force_login(alice)
    location = mastodon.decide(start(client))
    finish(client, location)
    ConnectedAccount.objects.all().delete()
    assert "already used" in finish(client, location).content.decode()
    assert not ConnectedAccount.objects.exists()


def test_another_persons_state_is_refused(client, alice, bob, mastodon):
    client.force_login(alice)
    location = mastodon.decide(start(client))
    # Bob signs in on the same browser (the session survives in this test client only by copying it).
    session = client.session
    pending = session[PENDING_KEY]
    client.force_login(bob)
    session = client.session
    session[PENDING_KEY] = pending
    session.save()
    assert "not started here" in finish(client, location).content.decode()
    assert not ConnectedAccount.objects.exists()


def test_declining_at_the_instance_says_so_and_stores_nothing(client, alice, mastodon):
    client.force_login(alice)
    page = connect_through(client, mastodon, approve=False).content.decode()
    assert "You declined at mastodon.example, so nothing was connected" in page
    assert mastodon.api.requests_to("/oauth/token") == []
    assert not ConnectedAccount.objects.exists()


def test_a_code_the_instance_will_not_redeem_stores_nothing(client, alice, mastodon):
    client.force_login(alice)
    location = mastodon.decide(start(client))
    mastodon.codes.clear()  # expired at the instance
    page = finish(client, location).content.decode()
    assert "would not give us a token (HTTP 400, invalid_grant)" in page
    assert not ConnectedAccount.objects.exists()


def test_when_the_instance_will_not_say_whose_token_it_is_the_token_is_revoked(client, alice, mastodon):
    mastodon.api.route("/api/v1/accounts/verify_credentials", Reply(500, {"error": "Oops"}))
    client.force_login(alice)
    page = connect_through(client, mastodon).content.decode()
    assert "would not say whose account this is (HTTP 500)" in page
    assert len(mastodon.revoked) == 1 and mastodon.tokens == {}
    assert not ConnectedAccount.objects.exists()


def test_a_server_that_is_not_mastodon_is_named_as_such(client, alice, mastodon):
    mastodon.supports_profile_scope = False
    page = "<!DOCTYPE html><title>My blog</title>"
    mastodon.api.route("/api/v1/apps", Reply(404, page, {"Content-Type": "text/html"}))
    client.force_login(alice)
    response = client.post(reverse("connections:connect_mastodon"), {"instance": MASTODON_HOST}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("connections:my_connections")
    assert "did not answer as a Mastodon server does (app registration: HTTP 404)" in response.content.decode()
    assert not OAuthApp.objects.exists() and not ConnectedAccount.objects.exists()


def test_an_instance_on_a_private_address_is_never_contacted(client, alice, monkeypatch):
    def resolve(host, port, *args, **kwargs):
        assert host == "mastodon.internal"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    client.force_login(alice)
    response = client.post(reverse("connections:connect_mastodon"), {"instance": "mastodon.internal"}, follow=True)
    assert "mastodon.internal resolves to a private address, so we did not contact it" in response.content.decode()
    assert not OAuthApp.objects.exists()


@pytest.mark.parametrize("typed", ["not an instance", "ftp://mastodon.social", "mastodon", "mastodon.social:8080"])
def test_what_is_not_an_instance_address_is_refused_at_the_form(client, alice, typed):
    client.force_login(alice)
    response = client.post(reverse("connections:connect_mastodon"), {"instance": typed})
    assert response.status_code == 200
    assert "such as mastodon.social" in response.content.decode()


@pytest.mark.parametrize(
    "typed", ["mastodon.example", " Mastodon.Example ", "https://mastodon.example/", "@alice@mastodon.example"]
)
def test_the_instance_may_be_typed_as_a_host_a_url_or_a_handle(client, alice, mastodon, typed):
    client.force_login(alice)
    assert start(client, typed).startswith(f"{mastodon.api.url}/oauth/authorize?")
