"""The notification settings page and the push subscribe/unsubscribe endpoints its script calls."""

import json

import pytest
from django.urls import reverse

from advocacy.people.models import User
from notifications.models import Delivery, PushFrequency, PushPreference, PushSubscription

from .push_helpers import BrowserKeys

pytestmark = pytest.mark.django_db

Kind = Delivery.Kind
ENDPOINT = "https://push.example.net/send/abc123"


def _subscribe(client, body):
    return client.post(reverse("notifications:push_subscribe"), json.dumps(body), content_type="application/json")


def test_push_is_hidden_when_the_server_has_no_vapid_keys(client, alice):
    client.force_login(alice)
    response = client.get(reverse("notifications:preferences"))

    assert response.status_code == 200
    assert b"data-push-device" not in response.content and b"push_settings.js" not in response.content
    assert _subscribe(client, BrowserKeys().subscription_json(ENDPOINT)).status_code == 404


def test_the_page_offers_push_with_the_servers_public_key_and_defaults_that_do_not_nag(client, alice, vapid):
    client.force_login(alice)
    response = client.get(reverse("notifications:preferences"))

    html = response.content.decode()
    assert f'data-vapid-key="{vapid.VAPID_PUBLIC_KEY}"' in html
    form = response.context["form"]
    assert form[f"push_{Kind.POST_FEATURED}"].initial == PushFrequency.DAILY
    assert not PushSubscription.objects.exists()  # nothing is pushed until a device is turned on


def test_a_browser_subscribes_and_a_second_save_moves_it_to_whoever_signed_in(client, alice, bob, vapid):
    keys = BrowserKeys()
    client.force_login(alice)
    assert _subscribe(client, keys.subscription_json(ENDPOINT)).status_code == 201
    client.force_login(bob)
    assert _subscribe(client, keys.subscription_json(ENDPOINT)).status_code == 201

    [subscription] = PushSubscription.objects.all()
    assert (subscription.user, subscription.p256dh, subscription.auth) == (bob, keys.p256dh, keys.auth)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"endpoint": "not a url", "keys": {"p256dh": "x", "auth": "y"}}, "not a URL"),
        ({"endpoint": ENDPOINT, "keys": {"p256dh": "AAAA", "auth": "AAAA"}}, "wrong shape"),
        ({"endpoint": ENDPOINT}, "wrong shape"),
        ([1, 2], "not a URL"),
    ],
)
def test_a_malformed_subscription_is_refused_with_a_reason(client, alice, vapid, body, message):
    client.force_login(alice)
    response = _subscribe(client, body)

    assert response.status_code == 400 and message in response.json()["error"]
    assert not PushSubscription.objects.exists()


def test_one_tap_turns_push_off_for_this_device_only(client, alice, vapid):
    client.force_login(alice)
    _subscribe(client, BrowserKeys().subscription_json(ENDPOINT))
    _subscribe(client, BrowserKeys().subscription_json(ENDPOINT + "-laptop"))

    response = client.post(
        reverse("notifications:push_unsubscribe"), json.dumps({"endpoint": ENDPOINT}), content_type="application/json"
    )

    assert response.json() == {"removed": 1}
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [ENDPOINT + "-laptop"]


def test_the_plain_form_turns_push_off_on_every_device_and_never_touches_someone_else(client, alice, bob, vapid):
    client.force_login(bob)
    _subscribe(client, BrowserKeys().subscription_json(ENDPOINT + "-bob"))
    client.force_login(alice)
    _subscribe(client, BrowserKeys().subscription_json(ENDPOINT))

    response = client.post(reverse("notifications:push_unsubscribe"))

    assert response.status_code == 302
    assert list(PushSubscription.objects.values_list("user__username", flat=True)) == ["bob"]


def test_saving_the_page_sets_email_and_push_per_kind(client, alice, vapid):
    client.force_login(alice)
    response = client.post(
        reverse("notifications:preferences"),
        {
            "digest_frequency": User.DigestFrequency.NEVER,
            "notify_policy_updates": "on",
            f"push_{Kind.POST_FEATURED}": PushFrequency.OFF,
            f"push_{Kind.DRAW_RESULT}": PushFrequency.DAILY,
            f"push_{Kind.POLICY_MAJOR_VERSION}": PushFrequency.IMMEDIATELY,
            f"push_{Kind.CONNECTION_EXPIRING}": PushFrequency.OFF,
            f"push_{Kind.INVITATION}": PushFrequency.DAILY,
        },
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.digest_frequency, alice.notify_policy_updates, alice.notify_suggestion_updates) == (
        User.DigestFrequency.NEVER,
        True,
        False,
    )
    assert dict(PushPreference.objects.filter(user=alice).values_list("kind", "frequency")) == {
        Kind.POST_FEATURED: PushFrequency.OFF,
        Kind.DRAW_RESULT: PushFrequency.DAILY,
        Kind.POLICY_MAJOR_VERSION: PushFrequency.IMMEDIATELY,
        Kind.CONNECTION_EXPIRING: PushFrequency.OFF,
        Kind.INVITATION: PushFrequency.DAILY,
    }


def test_a_bad_value_is_refused_and_nothing_is_saved(client, alice, vapid):
    client.force_login(alice)
    response = client.post(
        reverse("notifications:preferences"),
        {"digest_frequency": "hourly", f"push_{Kind.POST_FEATURED}": "always"},
    )

    assert response.status_code == 400
    assert "hourly is not one of the available choices" in response.content.decode()
    assert not PushPreference.objects.exists()


def test_the_download_lists_push_devices_and_erasure_removes_them(client, alice, vapid):
    from advocacy.people.selectors import person_data_export
    from notifications.personal_data import erase

    client.force_login(alice)
    _subscribe(client, BrowserKeys().subscription_json(ENDPOINT))
    PushPreference.objects.create(user=alice, kind=Kind.POST_FEATURED, frequency=PushFrequency.OFF)

    data = person_data_export(user=alice)
    assert [device["browser"] for device in data["push_devices"]] == [""]
    assert data["push_settings"] == {Kind.POST_FEATURED: PushFrequency.OFF}
    erase(user=alice)
    assert not PushSubscription.objects.exists() and not PushPreference.objects.exists()
