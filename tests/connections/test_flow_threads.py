"""Connecting a Threads account: the code exchange, the long-lived token, its refresh, the state."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from connections.flows import connect_options
from connections.flows import threads as threads_flow
from connections.models import ConnectedAccount
from connections.refresh import RefreshFailed, account_refresh, accounts_refresh_due
from connections.selectors import REMINDER_LEAD
from tests.fakes.server import serving
from tests.fakes.threads import FakeThreads

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_threads(settings):
    with serving() as api:
        fake = FakeThreads(api).install()
        settings.THREADS_APP_ID = fake.app_id
        settings.THREADS_APP_SECRET = fake.app_secret
        settings.THREADS_OAUTH_URL = f"{api.url}/oauth/authorize"
        settings.METRICS_THREADS_API_URL = f"{api.url}/v1.0"
        yield fake


def _start(client):
    response = client.get(reverse("connections:connect_threads"))
    assert response.status_code == 302
    return response["Location"]


def connect_threads(client, fake, *, allow=True):
    return client.get(fake.consent(_start(client), allow=allow), follow=True)


def _only(request_query):
    return {key: values[0] for key, values in request_query.items()}


def test_it_connects_with_a_long_lived_token(client, alice, fake_threads, settings):
    client.force_login(alice)
    authorize = _start(client)
    asked = _only(parse_qs(urlsplit(authorize).query))
    redirect_uri = f"{settings.SITE_URL}{reverse('connections:threads_callback')}"
    assert authorize.startswith(settings.THREADS_OAUTH_URL + "?")
    assert asked == {
        "client_id": "990602627938098",
        "redirect_uri": redirect_uri,
        "scope": "threads_basic,threads_content_publish,threads_manage_insights",
        "response_type": "code",
        "state": asked["state"],
    }

    page = client.get(fake_threads.consent(authorize), follow=True).content.decode()

    assert "Threads account alice.archer connected." in page
    (exchange,) = fake_threads.api.requests_to("/oauth/access_token")
    assert exchange.method == "POST"
    assert _only(exchange.form) == {
        "client_id": "990602627938098",
        "client_secret": "threads-app-secret",
        "code": exchange.form["code"][0],
        "grant_type": "authorization_code",
        "redirect_uri": redirect_uri,
    }
    (short_lived,) = fake_threads.short_lived
    (long_lived_request,) = fake_threads.api.requests_to("/access_token")
    assert long_lived_request.method == "GET"
    assert _only(long_lived_request.query) == {
        "grant_type": "th_exchange_token",
        "client_secret": "threads-app-secret",
        "access_token": short_lived,
    }
    (me,) = fake_threads.api.requests_to("/v1.0/me")
    assert _only(me.query) == {"fields": "id,username"}
    account = ConnectedAccount.objects.get(person=alice, network="threads")
    assert me.headers["authorization"] == f"Bearer {account.access_token}"
    assert account.access_token in fake_threads.long_lived
    assert account.refresh_token == account.access_token
    assert account.handle == "alice.archer"
    assert account.remote_account_id == "17841400000000001"
    assert account.scopes == "threads_basic threads_content_publish threads_manage_insights"
    lapses = timezone.now() + timedelta(seconds=5183944)
    assert abs(account.expires_at - lapses) < timedelta(minutes=1)
    # Refreshed before the lapse reminder would go out.
    assert account.expires_at - account.access_expires_at > REMINDER_LEAD
    assert account.access_token not in page


def test_the_periodic_refresh_picks_the_account_up_before_the_reminder(client, alice, fake_threads):
    client.force_login(alice)
    connect_threads(client, fake_threads)
    account = ConnectedAccount.objects.get()
    assert accounts_refresh_due() == []
    later = account.expires_at - REMINDER_LEAD - timedelta(hours=1)
    assert accounts_refresh_due(now=later) == [account.pk]


def test_refreshing_gives_another_sixty_days(client, alice, fake_threads):
    client.force_login(alice)
    connect_threads(client, fake_threads)
    account = ConnectedAccount.objects.get()
    old = account.access_token
    ConnectedAccount.objects.filter(pk=account.pk).update(expires_at=timezone.now() + timedelta(days=5))
    account.refresh_from_db()

    threads_flow.refresh(account)

    (request,) = fake_threads.api.requests_to("/refresh_access_token")
    assert request.method == "GET"
    assert _only(request.query) == {"grant_type": "th_refresh_token", "access_token": old}
    account.refresh_from_db()
    assert account.access_token != old and account.access_token in fake_threads.long_lived
    assert account.refresh_token == account.access_token
    assert account.expires_at - timezone.now() > timedelta(days=59)
    assert account.handle == "alice.archer" and account.remote_account_id == "17841400000000001"


def test_a_refused_refresh_says_reconnect(client, alice, fake_threads):
    client.force_login(alice)
    connect_threads(client, fake_threads)
    account = ConnectedAccount.objects.get()
    fake_threads.long_lived.clear()
    with pytest.raises(RefreshFailed) as refused:
        account_refresh(account)
    assert not refused.value.retryable
    assert "Session has expired" in refused.value.reason
    assert ConnectedAccount.objects.get().last_error


def test_a_callback_with_another_state_connects_nothing(client, alice, fake_threads):
    client.force_login(alice)
    callback = fake_threads.consent(_start(client))
    page = client.get(callback.replace("state=", "state=forged"), follow=True).content.decode()
    assert "nothing was connected" in page
    assert not ConnectedAccount.objects.exists()
    assert not fake_threads.api.requests_to("/oauth/access_token")


def test_cancelling_on_threads_connects_nothing(client, alice, fake_threads):
    client.force_login(alice)
    page = connect_threads(client, fake_threads, allow=False).content.decode()
    assert "You did not allow access on Threads; nothing was connected." in page
    assert not ConnectedAccount.objects.exists()


def test_a_code_threads_refuses_says_what_threads_said(client, alice, fake_threads):
    client.force_login(alice)
    callback = fake_threads.consent(_start(client))
    fake_threads.codes.clear()
    page = client.get(callback, follow=True).content.decode()
    assert "Threads was not connected: Threads said: Invalid verification code format." in page
    assert not ConnectedAccount.objects.exists()


def test_unconfigured_threads_is_not_offered_and_its_urls_refuse(client, alice, settings):
    settings.THREADS_APP_ID = ""
    settings.THREADS_APP_SECRET = ""
    client.force_login(alice)
    assert "threads" not in [option.network for option in connect_options()]
    assert client.get(reverse("connections:connect_threads")).status_code == 404
    assert client.get(reverse("connections:threads_callback")).status_code == 404


def test_configured_threads_is_offered(client, alice, fake_threads):
    client.force_login(alice)
    page = client.get(reverse("connections:my_connections")).content.decode()
    assert f'href="{reverse("connections:connect_threads")}">Connect Threads</a>' in page


def test_disconnecting_says_to_remove_the_app_in_threads(client, alice, fake_threads):
    client.force_login(alice)
    connect_threads(client, fake_threads)
    account = ConnectedAccount.objects.get()
    page = client.post(reverse("connections:disconnect", kwargs={"account_id": account.pk}), follow=True)
    assert "remove the app in Threads" in page.content.decode()
    assert not ConnectedAccount.objects.exists()
