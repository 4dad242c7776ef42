"""A week before a connected account's token lapses, its owner gets one email, once per token."""

from datetime import timedelta

import pytest
from django.utils import timezone

from connections.services import connected_account_disconnect
from notifications.services import connection_reminders_queue
from tests.connections.conftest import connect

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keys(settings):
    from tests.connections.conftest import FIRST_KEY

    settings.CONNECTED_ACCOUNT_KEYS = [FIRST_KEY]


def run_daily(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return connection_reminders_queue()


def test_it_reminds_the_owner_a_week_before_once_per_token(
    alice, bob, celery_eager, mailoutbox, django_capture_on_commit_callbacks
):
    now = timezone.now()
    account = connect(alice, expires_at=now + timedelta(days=6, hours=12), token="SECRET-TOKEN")
    connect(bob, expires_at=now + timedelta(days=20))
    run_daily(django_capture_on_commit_callbacks)
    assert [message.to for message in mailoutbox] == [[alice.email]]
    message = mailoutbox[0]
    assert "Threads connection lapses on" in message.subject
    assert "/me/connections/" in message.body and account.handle in message.body
    assert "SECRET-TOKEN" not in message.body + message.alternatives[0][0]

    run_daily(django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1, "the next day's run sends nothing new for the same token"

    # Reconnected: a new token with a new expiry is reminded again when its turn comes.
    connect(alice, expires_at=now + timedelta(days=5), token="NEW-TOKEN")
    run_daily(django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 2


def test_no_reminder_for_an_account_disconnected_before_it_went_out(
    alice, celery_eager, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    from notifications import tasks

    queued = []
    monkeypatch.setattr(tasks.send_email, "delay", lambda *args: queued.append(args))
    account = connect(alice, expires_at=timezone.now() + timedelta(days=3))
    run_daily(django_capture_on_commit_callbacks)
    connected_account_disconnect(person=alice, account_id=account.pk)
    for args in queued:
        tasks.send_email.apply(args)
    assert mailoutbox == []


def test_owners_who_turned_push_on_get_the_reminder_on_their_devices_too(
    alice, vapid, push_endpoint, celery_eager, mailoutbox, django_capture_on_commit_callbacks
):
    from tests.notifications.test_push import subscribe

    keys = subscribe(alice, push_endpoint, "/push/alice")
    connect(alice, expires_at=timezone.now() + timedelta(days=2), token="SECRET-TOKEN")
    run_daily(django_capture_on_commit_callbacks)
    run_daily(django_capture_on_commit_callbacks)
    (message,) = push_endpoint.messages
    payload = keys.decrypt(message["body"])
    assert payload["url"] == "/me/connections/" and "Threads connection lapses" in payload["title"]
    assert "SECRET-TOKEN" not in repr(payload)
    assert len(mailoutbox) == 1
