"""Connecting LinkedIn: the 3-legged OAuth flow against a fake LinkedIn, refreshing and revoking."""

import logging
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from advocacy.http import HttpClient
from connections.flows import connect_options
from connections.flows.linkedin import connect_option
from connections.models import ConnectedAccount
from connections.refresh import RefreshFailed, account_refresh
from tests.fakes.linkedin import CLIENT_ID, CLIENT_SECRET, MEMBER_ID, FakeLinkedIn, allow_link, callback_query
from tests.fakes.server import Reply, serving

pytestmark = pytest.mark.django_db

CALLBACK = "https://advocacy.example/me/connections/linkedin/callback/"


@pytest.fixture
def linkedin(settings):
    with serving() as api:
        fake = FakeLinkedIn(api)
        settings.LINKEDIN_CLIENT_ID = CLIENT_ID
        settings.LINKEDIN_CLIENT_SECRET = CLIENT_SECRET
        settings.LINKEDIN_OAUTH_URL = fake.oauth_url
        settings.LINKEDIN_MEMBER_ANALYTICS = False
        settings.METRICS_LINKEDIN_API_URL = api.url
        settings.METRICS_LINKEDIN_VERSION = "202610"
        settings.SITE_URL = "https://advocacy.example"
        yield fake


def _start(client) -> str:
    response = client.get(reverse("connections:connect_linkedin"))
    assert response.status_code == 302
    return response["Location"]


def _consent_page(authorization_url: str) -> str:
    answer = HttpClient(timeout=5).get(authorization_url, headers={"Accept": "text/html"})
    assert answer.status == 200, answer.body
    return answer.body.decode()


def _press(client, authorization_url: str, which: str = "allow"):
    """What the member's browser does: open LinkedIn's page, press a button, come back to the callback."""
    link = allow_link(_consent_page(authorization_url), which)
    assert link.startswith(CALLBACK)
    return client.get(reverse("connections:linkedin_callback"), callback_query(link), follow=True)


def _messages(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


def test_it_is_offered_only_when_the_app_is_configured(settings, client, alice):
    settings.LINKEDIN_CLIENT_ID = settings.LINKEDIN_CLIENT_SECRET = ""
    assert connect_option() is None
    assert "linkedin" not in [option.network for option in connect_options()]
    client.force_login(alice)
    assert 'data-connect-option="linkedin"' not in client.get(reverse("connections:my_connections")).content.decode()
    response = client.get(reverse("connections:connect_linkedin"), follow=True)
    assert "has not set it up" in _messages(response)

    settings.LINKEDIN_CLIENT_ID, settings.LINKEDIN_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    page = client.get(reverse("connections:my_connections")).content.decode()
    assert 'data-connect-option="linkedin"' in page
    assert f'href="{reverse("connections:connect_linkedin")}"' in page


def test_it_sends_the_member_to_linkedin_with_the_narrowest_scopes(linkedin, client, alice):
    client.force_login(alice)
    location = _start(client)
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{linkedin.oauth_url}/authorization"
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == CALLBACK
    assert query["scope"] == "openid profile w_member_social"
    assert len(query["state"]) >= 32
    assert CLIENT_SECRET not in location
    # A second start gets a state of its own.
    assert parse_qs(urlsplit(_start(client)).query)["state"][0] != query["state"]


def test_member_analytics_is_asked_for_when_the_organisation_has_it(linkedin, settings, client, alice):
    settings.LINKEDIN_MEMBER_ANALYTICS = True
    client.force_login(alice)
    scope = parse_qs(urlsplit(_start(client)).query)["scope"][0]
    assert scope == "openid profile w_member_social r_member_postAnalytics"


def test_allowing_connects_the_account_with_what_linkedin_granted(linkedin, client, alice):
    client.force_login(alice)
    before = timezone.now()
    response = _press(client, _start(client))
    assert "LinkedIn account Alice Archer connected." in _messages(response)

    account = ConnectedAccount.objects.get(person=alice, network="linkedin")
    assert (account.handle, account.remote_account_id) == ("Alice Archer", MEMBER_ID)
    assert account.scopes == "openid profile w_member_social"
    assert account.access_token in linkedin.tokens
    # No refresh token (programmatic refresh is for some partners only): the connection lasts 60 days.
    assert account.refresh_token == ""
    assert before + timedelta(days=60) <= account.expires_at <= timezone.now() + timedelta(days=60)
    assert account.access_expires_at is None

    exchange = linkedin.api.requests_to("/oauth/v2/accessToken")[0]
    assert exchange.method == "POST"
    assert exchange.headers["content-type"] == "application/x-www-form-urlencoded"
    form = exchange.form
    assert set(form) == {"grant_type", "code", "redirect_uri", "client_id", "client_secret"}
    assert form["grant_type"] == ["authorization_code"]
    assert form["redirect_uri"] == [CALLBACK]
    assert (form["client_id"], form["client_secret"]) == ([CLIENT_ID], [CLIENT_SECRET])
    userinfo = linkedin.api.requests_to("/v2/userinfo")[0]
    assert userinfo.headers["authorization"] == f"Bearer {account.access_token}"
    assert response.redirect_chain[-1][0] == reverse("connections:my_connections")


def test_a_refresh_token_when_granted_sets_both_expiries(linkedin, client, alice):
    linkedin.issues_refresh_tokens = True
    client.force_login(alice)
    _press(client, _start(client))
    account = ConnectedAccount.objects.get(person=alice)
    assert account.refresh_token in linkedin.refresh_tokens
    now = timezone.now()
    assert now + timedelta(days=59) < account.access_expires_at <= now + timedelta(days=60)
    assert now + timedelta(days=364) < account.expires_at <= now + timedelta(days=365)


def test_cancelling_on_linkedin_connects_nothing_and_says_so(linkedin, client, alice):
    client.force_login(alice)
    response = _press(client, _start(client), which="cancel")
    assert "You cancelled on LinkedIn, so nothing was connected." in _messages(response)
    assert not ConnectedAccount.objects.exists()
    assert linkedin.api.requests_to("/oauth/v2/accessToken") == []


def test_an_answer_can_be_used_once_and_only_by_who_started_it(linkedin, client, alice, bob):
    client.force_login(alice)
    link = allow_link(_consent_page(_start(client)))
    callback = reverse("connections:linkedin_callback")
    assert "connected" in _messages(client.get(callback, callback_query(link), follow=True))
    replay = client.get(callback, callback_query(link), follow=True)
    assert "already used" in _messages(replay)
    assert ConnectedAccount.objects.count() == 1

    # Bob's browser handed Alice's answer (a forged link): his session never started it.
    client.force_login(bob)
    link = allow_link(_consent_page(_start(client)))
    client.force_login(alice)
    response = client.get(callback, callback_query(link), follow=True)
    assert "does not belong to a connection started here" in _messages(response)
    assert not ConnectedAccount.objects.filter(person=bob).exists()


def test_a_missing_or_forged_state_is_refused(linkedin, client, alice):
    client.force_login(alice)
    _start(client)
    for params in ({"code": "FAKE-CODE-1"}, {"code": "FAKE-CODE-1", "state": "not-one-we-made"}):
        response = client.get(reverse("connections:linkedin_callback"), params, follow=True)
        assert "Nothing was connected" in _messages(response)
    assert linkedin.api.requests_to("/oauth/v2/accessToken") == []


def test_a_code_linkedin_will_not_exchange_saves_nothing_and_says_why(linkedin, client, alice, caplog):
    client.force_login(alice)
    query = callback_query(allow_link(_consent_page(_start(client))))
    query["code"] = "FAKE-CODE-EXPIRED"
    with caplog.at_level(logging.DEBUG):
        response = client.get(reverse("connections:linkedin_callback"), query, follow=True)
    said = _messages(response)
    assert "LinkedIn would not exchange the sign-in for a token" in said
    assert "authorization code expired" in said
    assert not ConnectedAccount.objects.exists()
    assert CLIENT_SECRET not in caplog.text


def test_linkedin_refusing_a_scope_is_explained(linkedin, settings, client, alice):
    settings.LINKEDIN_MEMBER_ANALYTICS = True
    linkedin.grantable = ("openid", "profile", "w_member_social")  # the app was never granted the analytics product
    client.force_login(alice)
    answer = HttpClient(timeout=5).get(_start(client), headers={})
    assert answer.status == 302
    response = client.get(
        reverse("connections:linkedin_callback"), callback_query(answer.headers["Location"]), follow=True
    )
    assert "LinkedIn refused the connection: Scope not authorized" in _messages(response)
    assert not ConnectedAccount.objects.exists()


def test_userinfo_failing_saves_nothing(linkedin, client, alice):
    linkedin.api.route("/v2/userinfo", Reply(status=401, body={"status": 401, "message": "Invalid access token"}))
    client.force_login(alice)
    response = _press(client, _start(client))
    assert "LinkedIn did not say who you are (HTTP 401)" in _messages(response)
    assert not ConnectedAccount.objects.exists()


# --- refreshing ------------------------------------------------------------------------------------


def _connected(linkedin, client, person):
    client.force_login(person)
    _press(client, _start(client))
    return ConnectedAccount.objects.get(person=person)


def test_it_refreshes_with_the_refresh_token(linkedin, client, alice):
    linkedin.issues_refresh_tokens = True
    account = _connected(linkedin, client, alice)
    old_access, refresh_token = account.access_token, account.refresh_token
    refreshed = account_refresh(account)
    assert refreshed.access_token != old_access and refreshed.access_token in linkedin.tokens
    assert refreshed.refresh_token == refresh_token
    assert refreshed.scopes == "openid profile w_member_social"
    form = linkedin.api.requests_to("/oauth/v2/accessToken")[-1].form
    assert form == {
        "grant_type": ["refresh_token"],
        "refresh_token": [refresh_token],
        "client_id": [CLIENT_ID],
        "client_secret": [CLIENT_SECRET],
    }
    assert refreshed.access_expires_at > timezone.now() + timedelta(days=59)


def test_without_a_refresh_token_refreshing_says_connect_again(linkedin, client, alice):
    account = _connected(linkedin, client, alice)
    with pytest.raises(RefreshFailed, match="connect the account again"):
        account_refresh(account)
    from connections.flows.linkedin import refresh

    with pytest.raises(RefreshFailed, match="LinkedIn gave no refresh token"):
        refresh(account)


def test_a_refused_refresh_flags_the_account(linkedin, client, alice):
    linkedin.issues_refresh_tokens = True
    account = _connected(linkedin, client, alice)
    linkedin.refresh_tokens.clear()
    with pytest.raises(RefreshFailed, match="The provided refresh token is invalid") as raised:
        account_refresh(account)
    assert not raised.value.retryable
    assert "refresh token is invalid" in ConnectedAccount.objects.get(pk=account.pk).last_error


def test_linkedin_being_down_makes_a_refresh_retryable(linkedin, client, alice):
    linkedin.issues_refresh_tokens = True
    account = _connected(linkedin, client, alice)
    linkedin.api.route("/oauth/v2/accessToken", Reply(status=503, body="down"))
    with pytest.raises(RefreshFailed) as raised:
        account_refresh(account)
    assert raised.value.retryable
    assert ConnectedAccount.objects.get(pk=account.pk).last_error == ""


# --- disconnecting ---------------------------------------------------------------------------------


def test_disconnecting_revokes_the_token_at_linkedin(linkedin, client, alice):
    account = _connected(linkedin, client, alice)
    token = account.access_token
    response = client.post(reverse("connections:disconnect", kwargs={"account_id": account.pk}), follow=True)
    assert "LinkedIn revoked the token." in _messages(response)
    assert linkedin.revoked == [token]
    revoke = linkedin.api.requests_to("/oauth/v2/revoke")[0]
    assert revoke.headers["content-type"] == "application/x-www-form-urlencoded"
    assert revoke.form == {"client_id": [CLIENT_ID], "client_secret": [CLIENT_SECRET], "token": [token]}
    assert not ConnectedAccount.objects.exists()


def test_a_refused_revoke_still_deletes_and_says_to_remove_the_app(linkedin, client, alice):
    account = _connected(linkedin, client, alice)
    linkedin.tokens.clear()  # LinkedIn no longer knows the token
    response = client.post(reverse("connections:disconnect", kwargs={"account_id": account.pk}), follow=True)
    assert "LinkedIn answered HTTP 400; remove the app" in _messages(response)
    assert not ConnectedAccount.objects.exists()
