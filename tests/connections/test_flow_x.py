"""Connecting an X account: PKCE S256, the state, the exact token requests, rotation, the switch."""

import base64
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.urls import reverse
from django.utils import timezone

from connections.flows import connect_options
from connections.flows import x as x_flow
from connections.models import ConnectedAccount
from connections.refresh import RefreshFailed, account_refresh
from tests.fakes.server import Reply, serving
from tests.fakes.x import FakeX

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_x(settings):
    with serving() as api:
        fake = FakeX(api).install()
        settings.X_POSTING_ENABLED = True
        settings.X_CLIENT_ID = fake.client_id
        settings.X_CLIENT_SECRET = fake.client_secret
        settings.X_OAUTH_AUTHORIZE_URL = f"{api.url}/i/oauth2/authorize"
        settings.METRICS_X_API_URL = api.url
        yield fake


def _start(client):
    response = client.get(reverse("connections:connect_x"))
    assert response.status_code == 302
    return response["Location"]


def _query(url):
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def connect_x(client, fake, *, allow=True):
    return client.get(fake.consent(_start(client), allow=allow), follow=True)


def test_it_connects_with_pkce_and_stores_the_account(client, alice, fake_x, settings):
    client.force_login(alice)
    authorize = _start(client)
    asked = _query(authorize)
    assert authorize.startswith(settings.X_OAUTH_AUTHORIZE_URL + "?")
    assert asked["response_type"] == "code"
    assert asked["client_id"] == "x-client-id"
    assert asked["scope"] == "tweet.read tweet.write users.read offline.access media.write"
    assert asked["code_challenge_method"] == "S256"
    assert asked["redirect_uri"] == f"{settings.SITE_URL}{reverse('connections:x_callback')}"
    assert len(asked["state"]) >= 32

    page = client.get(fake_x.consent(authorize), follow=True).content.decode()

    assert "X account @alice_archer connected." in page
    (token_request,) = fake_x.api.requests_to("/2/oauth2/token")
    form = {key: values[0] for key, values in token_request.form.items()}
    assert set(form) == {"grant_type", "code", "redirect_uri", "code_verifier", "client_id"}
    assert form["grant_type"] == "authorization_code"
    assert form["redirect_uri"] == asked["redirect_uri"]
    assert form["client_id"] == "x-client-id"
    # The verifier sent at the exchange is the one the challenge was made from.
    assert 43 <= len(form["code_verifier"]) <= 128
    assert create_s256_code_challenge(form["code_verifier"]) == asked["code_challenge"]
    basic = base64.b64encode(b"x-client-id:x-client-secret").decode()
    assert token_request.headers["authorization"] == f"Basic {basic}"
    (me,) = fake_x.api.requests_to("/2/users/me")
    account = ConnectedAccount.objects.get(person=alice, network="x")
    assert me.headers["authorization"] == f"Bearer {account.access_token}"
    assert account.handle == "@alice_archer"
    assert account.remote_account_id == "1500000000000000001"
    assert account.access_token in fake_x.access_tokens
    assert account.refresh_token in fake_x.refresh_tokens
    assert account.scopes == "tweet.read tweet.write users.read offline.access media.write"
    assert account.expires_at is None
    assert abs(account.access_expires_at - (timezone.now() + timedelta(hours=2))) < timedelta(minutes=1)
    assert account.access_token not in page and account.refresh_token not in page


def test_a_public_client_proves_itself_with_pkce_alone(client, alice, fake_x, settings):
    settings.X_CLIENT_SECRET = ""
    fake_x.client_secret = ""
    client.force_login(alice)
    assert "connected." in connect_x(client, fake_x).content.decode()
    (token_request,) = fake_x.api.requests_to("/2/oauth2/token")
    assert "authorization" not in token_request.headers
    assert token_request.form["client_id"] == ["x-client-id"]


def test_a_callback_with_another_state_connects_nothing(client, alice, fake_x):
    client.force_login(alice)
    callback = fake_x.consent(_start(client))
    forged = callback.replace("state=", "state=forged")
    page = client.get(forged, follow=True).content.decode()
    assert "nothing was connected" in page
    assert not ConnectedAccount.objects.exists()
    assert not fake_x.api.requests_to("/2/oauth2/token")


def test_a_callback_is_good_once(client, alice, fake_x):
    client.force_login(alice)
    callback = fake_x.consent(_start(client))
    client.get(callback)
    ConnectedAccount.objects.all().delete()
    page = client.get(callback, follow=True).content.decode()
    assert "had expired or was not started here" in page
    assert not ConnectedAccount.objects.exists()


def test_a_stale_state_connects_nothing(client, alice, fake_x):
    client.force_login(alice)
    callback = fake_x.consent(_start(client))
    session = client.session
    session["connections_oauth"]["x"]["at"] -= 3600
    session.save()
    assert "had expired" in client.get(callback, follow=True).content.decode()
    assert not ConnectedAccount.objects.exists()


def test_cancelling_on_x_connects_nothing(client, alice, fake_x):
    client.force_login(alice)
    page = connect_x(client, fake_x, allow=False).content.decode()
    assert "You did not allow access on X; nothing was connected." in page
    assert not ConnectedAccount.objects.exists()
    assert not fake_x.api.requests_to("/2/oauth2/token")


def test_a_code_x_refuses_says_what_x_said(client, alice, fake_x):
    client.force_login(alice)
    callback = fake_x.consent(_start(client))
    fake_x.codes.clear()
    page = client.get(callback, follow=True).content.decode()
    assert "X was not connected: X said: Value passed for the authorization code was invalid." in page
    assert not ConnectedAccount.objects.exists()


def test_without_offline_access_the_connection_ends_with_the_access_token(client, alice, fake_x):
    fake_x.issue_refresh_token = False
    client.force_login(alice)
    connect_x(client, fake_x)
    account = ConnectedAccount.objects.get()
    assert account.refresh_token == ""
    assert account.expires_at == account.access_expires_at


def test_switched_off_x_is_not_offered_and_its_urls_refuse(client, alice, settings):
    settings.X_POSTING_ENABLED = False
    settings.X_CLIENT_ID = "x-client-id"
    client.force_login(alice)
    assert "x" not in [option.network for option in connect_options()]
    assert client.get(reverse("connections:connect_x")).status_code == 404
    assert client.get(reverse("connections:x_callback") + "?code=a&state=b").status_code == 404
    assert "Connect X" not in client.get(reverse("connections:my_connections")).content.decode()


def test_switched_on_without_a_client_id_x_is_not_offered(settings):
    settings.X_POSTING_ENABLED = True
    settings.X_CLIENT_ID = ""
    assert x_flow.connect_option() is None


def test_switched_on_x_is_offered_on_the_page(client, alice, fake_x):
    client.force_login(alice)
    page = client.get(reverse("connections:my_connections")).content.decode()
    assert f'href="{reverse("connections:connect_x")}">Connect X</a>' in page


def test_refreshing_stores_the_rotated_refresh_token(client, alice, fake_x):
    client.force_login(alice)
    connect_x(client, fake_x)
    account = ConnectedAccount.objects.get()
    old_access, old_refresh = account.access_token, account.refresh_token

    refreshed = x_flow.refresh(account)

    request = fake_x.api.requests_to("/2/oauth2/token")[-1]
    assert request.form == {
        "grant_type": ["refresh_token"],
        "refresh_token": [old_refresh],
        "client_id": ["x-client-id"],
    }
    assert request.headers["authorization"].startswith("Basic ")
    refreshed = ConnectedAccount.objects.get(pk=refreshed.pk)
    assert refreshed.access_token != old_access
    assert refreshed.refresh_token != old_refresh
    assert refreshed.refresh_token in fake_x.refresh_tokens
    assert old_refresh not in fake_x.refresh_tokens
    assert refreshed.handle == "@alice_archer" and refreshed.remote_account_id == "1500000000000000001"
    # The new refresh token works: rotation kept the chain going.
    x_flow.refresh(refreshed)


def test_a_refused_refresh_says_reconnect_and_flags_the_account(client, alice, fake_x):
    client.force_login(alice)
    connect_x(client, fake_x)
    account = ConnectedAccount.objects.get()
    fake_x.refresh_tokens.clear()
    with pytest.raises(RefreshFailed) as refused:
        account_refresh(account)
    assert not refused.value.retryable
    assert "connect it again" in refused.value.reason
    assert "Value passed for the token was invalid" in ConnectedAccount.objects.get().last_error


def test_a_refresh_x_does_not_answer_is_retryable(client, alice, fake_x, settings):
    client.force_login(alice)
    connect_x(client, fake_x)
    account = ConnectedAccount.objects.get()
    fake_x.api.route("/2/oauth2/token", Reply(503, {"title": "Service Unavailable"}))
    with pytest.raises(RefreshFailed) as refused:
        account_refresh(account)
    assert refused.value.retryable
    assert ConnectedAccount.objects.get().last_error == ""


def test_disconnecting_revokes_the_token_at_x(client, alice, fake_x):
    client.force_login(alice)
    connect_x(client, fake_x)
    account = ConnectedAccount.objects.get()
    token = account.access_token
    page = client.post(reverse("connections:disconnect", kwargs={"account_id": account.pk}), follow=True)
    assert "X revoked the token." in page.content.decode()
    (revoke,) = fake_x.api.requests_to("/2/oauth2/revoke")
    assert revoke.form == {"token": [token], "token_type_hint": ["access_token"], "client_id": ["x-client-id"]}
    assert fake_x.revoked == [token]
    assert not ConnectedAccount.objects.exists()
