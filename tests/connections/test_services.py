"""Connecting, disconnecting (revoked at the network where it can be), erasure and the download."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from advocacy.people.selectors import person_data_export
from advocacy.people.services import person_erase
from connections.models import ConnectedAccount
from connections.selectors import Health, account_health, accounts_access_for, accounts_lapsing
from connections.services import connected_account_disconnect, connected_account_problem_record
from tests.connections.conftest import connect, mastodon_account
from tests.fakes.server import Reply, serving

pytestmark = pytest.mark.django_db


def test_connecting_again_replaces_the_token_and_clears_a_refusal(alice):
    first = connect(alice, token="old")
    connected_account_problem_record(account_id=first.pk, detail="Threads refused the connected account's token")
    again = connect(alice, token="new")
    assert again.pk == first.pk and again.access_token == "new" and again.last_error == ""
    assert ConnectedAccount.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"network": "facebook"}, "cannot be connected on Facebook"),
        ({"network": "email"}, "cannot be connected on Email"),
        ({"token": ""}, "no access token"),
        ({"remote_account_id": " "}, "which account"),
    ],
)
def test_bad_input_is_refused_clearly_and_nothing_is_stored(alice, fields, message):
    with pytest.raises(ValidationError, match=message):
        connect(alice, **fields)
    assert not ConnectedAccount.objects.exists()


def test_disconnecting_mastodon_revokes_the_token_at_the_instance_then_deletes_it(alice, mastodon):
    account = mastodon_account(alice, mastodon)
    token = account.access_token
    done = connected_account_disconnect(person=alice, account_id=account.pk)
    assert done.revoke.revoked is True
    (request,) = mastodon.api.requests
    assert (request.method, request.path) == ("POST", "/oauth/revoke")
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.form == {"client_id": ["client-0"], "client_secret": ["CLIENT-SECRET"], "token": [token]}
    assert mastodon.revoked == [token]
    assert not ConnectedAccount.objects.exists()


def test_a_failed_revoke_still_deletes_the_token_and_says_what_to_do(alice, mastodon):
    account = mastodon_account(alice, mastodon)
    mastodon.apps["client-0"]["client_secret"] = "ROTATED"  # the instance no longer knows our secret: 403
    done = connected_account_disconnect(person=alice, account_id=account.pk)
    assert done.revoke.revoked is False
    assert "HTTP 403" in done.revoke.detail and "revoke the app in its settings" in done.revoke.detail
    assert not ConnectedAccount.objects.exists()


def test_an_instance_that_does_not_answer_is_reported_and_the_token_still_goes(alice, mastodon):
    account = mastodon_account(alice, mastodon)
    mastodon.api.route("/oauth/revoke", Reply(body={}, delay=2))
    with override_settings(CONNECTIONS_HTTP_TIMEOUT=0.3):
        done = connected_account_disconnect(person=alice, account_id=account.pk)
    assert done.revoke.revoked is False and "did not answer" in done.revoke.detail
    assert not ConnectedAccount.objects.exists()


def test_a_private_instance_address_is_never_called(alice):
    # Not mapped by METRICS_MASTODON_INSTANCE_URLS: a host an employee typed, here one on loopback.
    with serving() as api:
        account = connect(
            alice,
            network="mastodon",
            handle="@alice@mastodon.example",
            instance_url=api.url,
            oauth_client_id="CLIENT-ID",
            oauth_client_secret="CLIENT-SECRET",
        )
        done = connected_account_disconnect(person=alice, account_id=account.pk)
    assert api.requests == [] and done.revoke.revoked is False
    assert "not a public one" in done.revoke.detail
    assert not ConnectedAccount.objects.exists()


def test_a_network_without_a_revoke_api_says_so(alice):
    done = connected_account_disconnect(person=alice, account_id=connect(alice).pk)
    assert done.revoke.revoked is None and "remove the app in Threads" in done.revoke.detail


def test_nobody_disconnects_another_persons_account(alice, bob):
    account = connect(alice)
    with pytest.raises(ConnectedAccount.DoesNotExist):
        connected_account_disconnect(person=bob, account_id=account.pk)
    assert ConnectedAccount.objects.filter(pk=account.pk).exists()


def test_erasure_deletes_the_accounts_and_revokes_after_commit(
    alice, harper, mastodon, django_capture_on_commit_callbacks
):
    token = mastodon_account(alice, mastodon).access_token
    connect(alice, network="threads")
    with django_capture_on_commit_callbacks(execute=True):
        person_erase(user=alice, actor=harper)
    assert not ConnectedAccount.objects.exists()
    assert [request.form["token"] for request in mastodon.api.requests_to("/oauth/revoke")] == [[token]]
    assert mastodon.revoked == [token]


def test_the_download_lists_accounts_but_never_a_token(alice):
    connect(alice, token="THE-ACCESS-TOKEN", refresh_token="THE-REFRESH-TOKEN", scopes=["threads_basic"])
    download = person_data_export(user=alice)
    accounts = download["connected_accounts"]
    assert [(a["network"], a["scopes"]) for a in accounts] == [("threads", ["threads_basic"])]
    flat = repr(download)
    assert "THE-ACCESS-TOKEN" not in flat and "THE-REFRESH-TOKEN" not in flat and "encrypted" not in flat


def test_health_says_connected_expiring_or_reconnect(alice):
    now = timezone.now()
    account = connect(alice, expires_at=now + timedelta(days=30))
    assert account_health(account=account, now=now).state == Health.CONNECTED
    health = account_health(account=account, now=now + timedelta(days=25))
    assert (health.state, health.days_left) == (Health.EXPIRING, 5)
    assert "expires in 5 days" in health.message
    assert account_health(account=account, now=now + timedelta(days=31)).state == Health.RECONNECT
    account.last_error = "Threads refused the connected account's token"
    assert account_health(account=account, now=now).state == Health.RECONNECT


def test_only_usable_tokens_are_handed_to_workers(settings, alice, bob, casey):
    now = timezone.now()
    good = connect(alice, token="alice-token")
    connect(bob, expires_at=now - timedelta(minutes=1))
    refused = connect(casey)
    connected_account_problem_record(account_id=refused.pk, detail="refused")
    access = accounts_access_for(person_ids=[alice.pk, bob.pk, casey.pk], network="threads")
    assert list(access) == [alice.pk]
    assert access[alice.pk].token == "alice-token" and access[alice.pk].account_id == good.pk
    assert "alice-token" not in repr(access[alice.pk])


def test_accounts_lapsing_within_a_week_are_the_ones_reminded(alice, bob, casey):
    now = timezone.now()
    soon = connect(alice, expires_at=now + timedelta(days=6))
    connect(bob, expires_at=now + timedelta(days=8))
    connect(casey, expires_at=now - timedelta(days=1))
    assert list(accounts_lapsing(now=now)) == [soon]
