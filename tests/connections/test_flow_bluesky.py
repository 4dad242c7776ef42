"""Connecting Bluesky with an app password: the exact createSession, what is stored, refusals, refresh, revoke."""

import time
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from connections.flows import bluesky as bluesky_flow
from connections.flows import connect_options
from connections.models import ConnectedAccount
from connections.refresh import RefreshFailed, account_fresh, account_refresh
from connections.services import connected_account_disconnect
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.server import Reply, serving

pytestmark = pytest.mark.django_db

APP_PASSWORD = "abcd-efgh-ijkl-mnop"


@pytest.fixture
def pds(settings):
    with serving() as api:
        settings.CONNECTIONS_BLUESKY_SERVICE_URL = api.url
        yield FakeBluesky(api).install()


def _connect(client, identifier="alice.bsky.social", password=APP_PASSWORD):
    return client.post(
        reverse("connections:connect_bluesky"), {"identifier": identifier, "app_password": password}, follow=True
    )


def test_it_is_offered_on_the_health_page_saying_app_password_not_main_password(client, alice):
    (option,) = [option for option in connect_options() if option.network == "bluesky"]
    assert "app password" in option.how and "never your main password" in option.how
    client.force_login(alice)
    page = client.get(reverse("connections:my_connections")).content.decode()
    assert reverse("connections:connect_bluesky") in page
    form = client.get(reverse("connections:connect_bluesky")).content.decode()
    assert "never your main password" in form and "never keep it" in form


def test_it_connects_with_the_exact_create_session_and_stores_only_the_session(client, alice, pds):
    client.force_login(alice)
    page = _connect(client, identifier="@Alice.bsky.social ").content.decode()

    assert "Bluesky connected as @alice.bsky.social." in page
    (request,) = pds.requests_to("com.atproto.server.createSession")
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/json"
    assert request.json == {"identifier": "Alice.bsky.social", "password": APP_PASSWORD}
    account = ConnectedAccount.objects.get(person=alice, network="bluesky")
    assert account.handle == "alice.bsky.social"
    assert account.remote_account_id == pds.did
    assert account.instance_url == pds.api.url, "the didDoc's #atproto_pds endpoint"
    assert pds.access_tokens[account.access_token] == "com.atproto.appPass"
    assert account.refresh_token in pds.refresh_tokens
    assert account.scopes == "com.atproto.appPass"
    # The expiries are the JWTs' own exp claims.
    claims = bluesky_flow.jwt_claims(account.access_token)
    assert account.access_expires_at == datetime.fromtimestamp(claims["exp"], tz=UTC)
    assert abs(account.expires_at.timestamp() - (time.time() + pds.refresh_lifetime)) < 60
    # The app password is nowhere in what we stored.
    stored = ConnectedAccount.objects.filter(pk=account.pk).values().get()
    assert not any(APP_PASSWORD in str(value) for value in stored.values())
    assert APP_PASSWORD not in page


def test_the_pds_named_in_the_did_doc_is_where_later_calls_go(client, alice, pds, settings):
    with serving() as elsewhere:
        pds.pds_endpoint = elsewhere.url
        # The didDoc names a loopback PDS that is not the configured service: never contacted.
        client.force_login(alice)
        _connect(client)
        account = ConnectedAccount.objects.get(person=alice)
        assert account.instance_url == elsewhere.url
        with pytest.raises(RefreshFailed, match="not at a public address"):
            account_refresh(account)
        assert elsewhere.requests == []


def test_without_a_did_doc_the_service_is_the_pds(client, alice, pds):
    pds.pds_endpoint = ""
    client.force_login(alice)
    _connect(client)
    assert ConnectedAccount.objects.get(person=alice).instance_url == pds.api.url


def test_a_wrong_app_password_is_said_on_the_form_and_nothing_is_stored(client, alice, pds):
    client.force_login(alice)
    response = _connect(client, password="zzzz-zzzz-zzzz-zzzz")
    assert response.status_code == 200
    assert "Bluesky did not accept that handle and app password" in response.content.decode()
    assert "zzzz-zzzz-zzzz-zzzz" not in response.content.decode(), "the password field is not echoed"
    assert not ConnectedAccount.objects.exists()


def test_something_that_is_not_an_app_password_is_never_sent(client, alice, pds):
    client.force_login(alice)
    page = _connect(client, password=pds.main_password).content.decode()
    assert "That is not an app password" in page
    assert pds.requests_to("com.atproto.server.createSession") == []
    assert not ConnectedAccount.objects.exists()


def test_a_main_password_in_app_password_shape_is_refused_and_its_session_ended(client, alice, pds):
    pds.main_password = "wxyz-wxyz-wxyz-wxyz"
    client.force_login(alice)
    page = _connect(client, password="wxyz-wxyz-wxyz-wxyz").content.decode()
    assert "That was your account&#x27;s main password" in page
    (ended,) = pds.requests_to("com.atproto.server.deleteSession")
    assert pds.deleted_sessions == [ended.headers["authorization"].removeprefix("Bearer ")]
    assert not ConnectedAccount.objects.exists()


def test_two_factor_sign_in_says_app_passwords_skip_it(client, alice, pds):
    pds.main_password, pds.email_2fa = "wxyz-wxyz-wxyz-wxyz", True
    client.force_login(alice)
    page = _connect(client, password="wxyz-wxyz-wxyz-wxyz").content.decode()
    assert "App passwords skip that step" in page
    assert not ConnectedAccount.objects.exists()


def test_a_rate_limit_says_how_many_minutes_to_wait(client, alice, pds):
    reset = int(time.time()) + 290
    pds.next_reply["com.atproto.server.createSession"] = Reply(
        429,
        {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        headers={"RateLimit-Limit": "30", "RateLimit-Remaining": "0", "RateLimit-Reset": str(reset)},
    )
    client.force_login(alice)
    page = _connect(client).content.decode()
    assert "try again in 5 minutes" in page
    assert not ConnectedAccount.objects.exists()


def test_a_pds_that_does_not_answer_says_so(client, alice, settings):
    settings.CONNECTIONS_BLUESKY_SERVICE_URL = "http://127.0.0.1:9"
    client.force_login(alice)
    assert "Bluesky did not answer" in _connect(client).content.decode()


def _connected(client, alice, pds):
    client.force_login(alice)
    _connect(client)
    return ConnectedAccount.objects.get(person=alice)


def test_refresh_rotates_the_session(client, alice, pds):
    account = _connected(client, alice, pds)
    old_refresh = account.refresh_token

    refreshed = account_refresh(account)

    (request,) = pds.requests_to("com.atproto.server.refreshSession")
    assert request.method == "POST"
    assert request.headers["authorization"] == f"Bearer {old_refresh}"
    assert request.body == b""
    assert refreshed.refresh_token != old_refresh and refreshed.refresh_token in pds.refresh_tokens
    assert old_refresh not in pds.refresh_tokens
    assert refreshed.access_token in pds.access_tokens


def test_a_lapsing_access_token_is_refreshed_before_use(client, alice, pds):
    account = _connected(client, alice, pds)
    later = datetime.fromtimestamp(bluesky_flow.jwt_claims(account.access_token)["exp"] - 60, tz=UTC)
    assert account_fresh(account, now=later).access_token != account.access_token


def test_a_refused_refresh_asks_to_reconnect_and_a_busy_one_is_retried(client, alice, pds):
    account = _connected(client, alice, pds)
    pds.next_reply["com.atproto.server.refreshSession"] = Reply(503, {"error": "InternalServerError"})
    with pytest.raises(RefreshFailed) as busy:
        account_refresh(account)
    assert busy.value.retryable
    pds.refresh_tokens.clear()
    with pytest.raises(RefreshFailed, match="connect Bluesky again") as refused:
        account_refresh(account)
    assert not refused.value.retryable
    assert "connect Bluesky again" in ConnectedAccount.objects.get(pk=account.pk).last_error


def test_disconnecting_ends_the_session_with_the_refresh_token(client, alice, pds):
    account = _connected(client, alice, pds)
    refresh_token = account.refresh_token

    page = client.post(reverse("connections:disconnect", args=[account.pk]), follow=True).content.decode()

    assert "Bluesky ended the session" in page
    (request,) = pds.requests_to("com.atproto.server.deleteSession")
    assert request.method == "POST"
    assert request.headers["authorization"] == f"Bearer {refresh_token}"
    assert pds.deleted_sessions == [refresh_token]
    assert not ConnectedAccount.objects.exists()


def test_a_failed_delete_session_still_disconnects_and_says_to_delete_the_app_password(client, alice, pds):
    account = _connected(client, alice, pds)
    pds.next_reply["com.atproto.server.deleteSession"] = Reply(502, "Bad Gateway")
    done = connected_account_disconnect(person=alice, account_id=account.pk)
    assert done.revoke.revoked is False
    assert "delete the app password" in done.revoke.detail
    assert not ConnectedAccount.objects.exists()
