"""Web push: encrypted for each browser, within each person's chosen frequency, pruned when gone.

A local HTTP server stands in for the browser vendors' push service (tests/notifications/push_helpers.py),
and the test holds the browser's keys, so every message that arrives is decrypted here as a browser would.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from content_library.services import post_transition, post_update
from notifications.models import Delivery, PushFrequency, PushPreference, PushSubscription
from notifications.push import PUSH_KINDS, push_allowed
from notifications.services import (
    push_fan_out_send,
    push_featured_gone_live,
    push_preferences_update,
    push_subscription_save,
)
from notifications.tasks import push_send
from tests.content_library.factories import PostFactory

from .push_helpers import BrowserKeys, vapid_claims

pytestmark = pytest.mark.django_db

Kind = Delivery.Kind


def subscribe(user, endpoint_server, path="/push/alice-phone") -> BrowserKeys:
    keys = BrowserKeys()
    push_subscription_save(user=user, endpoint=endpoint_server.url(path), p256dh=keys.p256dh, auth=keys.auth)
    return keys


def test_a_featured_post_going_live_is_pushed_encrypted_for_the_browser(
    alice, casey, vapid, push_endpoint, celery_eager, django_capture_on_commit_callbacks
):
    keys = subscribe(alice, push_endpoint)
    post = PostFactory(title="We shipped the new app", slug="new-app", status="submitted")
    with django_capture_on_commit_callbacks(execute=True):
        post_update(post=post, actor=casey, is_featured=True)
        post_transition(post=post, to_status="approved", actor=casey)

    [message] = push_endpoint.messages
    assert message["path"] == "/push/alice-phone"
    assert message["headers"]["content-encoding"] == "aes128gcm"
    assert int(message["headers"]["ttl"]) > 0
    assert keys.decrypt(message["body"]) == {
        "title": "New featured post to share",
        "body": "We shipped the new app",
        "url": "/library/new-app/",
        "tag": f"post:{post.pk}",
    }
    claims = vapid_claims(message, public_key=vapid.VAPID_PUBLIC_KEY)
    assert claims["aud"] == push_endpoint.url("").rstrip("/")
    assert claims["sub"] == "mailto:it@example.com"
    assert Delivery.objects.get(kind=Kind.POST_FEATURED, recipient=f"push:{alice.pk}").status == "sent"


def test_a_post_for_another_team_and_a_post_not_live_yet_are_not_pushed(
    alice, bob, sales, vapid, push_endpoint, celery_eager, django_capture_on_commit_callbacks
):
    subscribe(alice, push_endpoint)
    sales_only = PostFactory(is_featured=True, target_teams=[sales])
    later = PostFactory(is_featured=True, publish_at=timezone.now() + timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        push_fan_out_send(kind=Kind.POST_FEATURED, object_id=sales_only.pk)
        assert push_fan_out_send(kind=Kind.POST_FEATURED, object_id=later.pk) == 0

    assert push_endpoint.messages == []


def test_beat_pushes_a_scheduled_featured_post_once_it_has_gone_live(
    alice, vapid, push_endpoint, celery_eager, django_capture_on_commit_callbacks
):
    keys = subscribe(alice, push_endpoint)
    post = PostFactory(title="Launch day", is_featured=True, publish_at=timezone.now() + timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert push_featured_gone_live() == 0
    assert push_endpoint.messages == []

    with django_capture_on_commit_callbacks(execute=True):
        push_featured_gone_live(now=timezone.now() + timedelta(hours=3))
    # push_send checks live-ness against the real clock: pretend the time has come.
    post.publish_at = timezone.now() - timedelta(minutes=1)
    post.save()
    with django_capture_on_commit_callbacks(execute=True):
        push_featured_gone_live()
        push_featured_gone_live()  # beat again: nobody gets it twice
    assert [keys.decrypt(m["body"])["body"] for m in push_endpoint.messages] == ["Launch day"]


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_push_service_calls_gone_is_removed(alice, vapid, push_endpoint, status):
    subscribe(alice, push_endpoint, "/push/old-phone")
    kept = subscribe(alice, push_endpoint, "/push/new-phone")
    push_endpoint.plan = [status, 201]
    post = PostFactory(is_featured=True)

    assert push_send(Kind.POST_FEATURED, f"post:{post.pk}", alice.pk) is True

    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [push_endpoint.url("/push/new-phone")]
    assert kept.decrypt(push_endpoint.messages[1]["body"])["url"] == f"/library/{post.slug}/"


def test_a_failing_push_service_is_retried_then_the_delivery_stays_failed(alice, vapid, push_endpoint, celery_eager):
    subscribe(alice, push_endpoint)
    push_endpoint.plan = [500, 503]
    post = PostFactory(is_featured=True)

    assert push_send.delay(Kind.POST_FEATURED, f"post:{post.pk}", alice.pk).get() is False

    assert len(push_endpoint.messages) == 2  # the first try and NOTIFY_MAX_RETRIES=1 retry
    delivery = Delivery.objects.get(recipient=f"push:{alice.pk}")
    assert delivery.status == "failed" and "503" in delivery.last_error
    assert PushSubscription.objects.filter(user=alice).exists()  # a server error is not a gone subscription


def _claimed(user, kind, key):
    from notifications.services import delivery_claim

    return delivery_claim(kind=kind, object_key=key, recipient=f"push:{user.pk}", user_id=user.pk)


def test_the_frequency_cap_allows_one_a_day_as_it_happens_all_or_none(alice):
    now = timezone.now()
    first = _claimed(alice, Kind.POST_FEATURED, "post:1")
    assert PUSH_KINDS[Kind.POST_FEATURED].default == PushFrequency.DAILY
    assert push_allowed(delivery=first, now=now)
    Delivery.objects.filter(pk=first.pk).update(status="sent", sent_at=now - timedelta(hours=23))

    second = _claimed(alice, Kind.POST_FEATURED, "post:2")
    assert not push_allowed(delivery=second, now=now)
    assert push_allowed(delivery=second, now=now + timedelta(hours=2))  # 25 hours after the first

    push_preferences_update(user=alice, frequencies={Kind.POST_FEATURED: PushFrequency.IMMEDIATELY})
    assert push_allowed(delivery=second, now=now)
    push_preferences_update(user=alice, frequencies={Kind.POST_FEATURED: PushFrequency.OFF})
    assert not push_allowed(delivery=first, now=now)


def test_two_pushes_being_sent_at_once_cannot_both_pass_a_daily_cap(alice):
    now = timezone.now()
    older = _claimed(alice, Kind.POST_FEATURED, "post:1")
    newer = _claimed(alice, Kind.POST_FEATURED, "post:2")

    assert [push_allowed(delivery=older, now=now), push_allowed(delivery=newer, now=now)] == [True, False]


def test_a_second_featured_post_the_same_day_is_skipped_not_sent(alice, vapid, push_endpoint):
    subscribe(alice, push_endpoint)
    first, second = PostFactory(is_featured=True), PostFactory(is_featured=True)

    assert push_send(Kind.POST_FEATURED, f"post:{first.pk}", alice.pk) is True
    assert push_send(Kind.POST_FEATURED, f"post:{second.pk}", alice.pk) is False

    assert len(push_endpoint.messages) == 1
    skipped = Delivery.objects.get(object_key=f"post:{second.pk}")
    assert skipped.status == "skipped" and "frequency" in skipped.last_error


def test_push_switched_off_for_a_kind_sends_nothing(alice, vapid, push_endpoint):
    subscribe(alice, push_endpoint)
    PushPreference.objects.create(user=alice, kind=Kind.POST_FEATURED, frequency=PushFrequency.OFF)

    assert push_send(Kind.POST_FEATURED, f"post:{PostFactory(is_featured=True).pk}", alice.pk) is False
    assert push_endpoint.messages == []


def test_nothing_is_pushed_to_someone_who_never_turned_push_on(alice, bob, vapid, push_endpoint, celery_eager):
    subscribe(bob, push_endpoint, "/push/bob")
    post = PostFactory(is_featured=True)

    assert push_fan_out_send(kind=Kind.POST_FEATURED, object_id=post.pk) == 1
    assert not Delivery.objects.filter(user=alice).exists()


def test_nothing_is_pushed_once_the_vapid_keys_are_gone(
    alice, casey, vapid, push_endpoint, celery_eager, django_capture_on_commit_callbacks
):
    subscribe(alice, push_endpoint)
    vapid.VAPID_PUBLIC_KEY = vapid.VAPID_PRIVATE_KEY = vapid.VAPID_SUBJECT = ""
    with django_capture_on_commit_callbacks(execute=True):
        post_update(post=PostFactory(), actor=casey, is_featured=True)

    assert push_endpoint.messages == []
    assert not Delivery.objects.filter(recipient__startswith="push:").exists()


def test_a_draw_winner_gets_a_push_that_opens_the_draw(
    alice, vapid, push_endpoint, celery_eager, django_capture_on_commit_callbacks
):
    from draws.services import PrizeSpec
    from tests.draws.helpers import make_draw

    keys = subscribe(alice, push_endpoint)
    with django_capture_on_commit_callbacks(execute=True):
        draw = make_draw(state="drawn", prizes=(PrizeSpec("Headphones"),))

    [message] = push_endpoint.messages
    assert keys.decrypt(message["body"]) == {
        "title": f"You won a prize in {draw.name}",
        "body": "Headphones",
        "url": f"/draws/{draw.pk}/",
        "tag": f"draw:{draw.pk}",
    }


def test_a_new_major_policy_version_is_pushed_to_who_must_acknowledge_it(
    alice, harper, vapid, push_endpoint, celery_eager, django_capture_on_commit_callbacks
):
    from guidelines.services import acknowledgement_record
    from tests.guidelines.factories import make_policy

    alice_keys = subscribe(alice, push_endpoint, "/push/alice")
    subscribe(harper, push_endpoint, "/push/harper")
    with django_capture_on_commit_callbacks(execute=True):
        policy = make_policy()

    assert sorted(m["path"] for m in push_endpoint.messages) == ["/push/alice", "/push/harper"]
    alice_message = next(m for m in push_endpoint.messages if m["path"] == "/push/alice")
    assert alice_keys.decrypt(alice_message["body"])["url"] == "/guidelines/acknowledge/"

    acknowledgement_record(user=harper, version=policy.versions.get())
    assert push_send(Kind.POLICY_MAJOR_VERSION, f"version:{policy.versions.get().pk}", harper.pk) is False


# An app above (the programme) invites; what the push says comes from its registered reader.
def test_an_invitation_is_pushed_unless_the_person_switched_that_push_off(
    alice,
    bob,
    casey,
    celery_eager,
    django_capture_on_commit_callbacks,
    vapid,
    push_endpoint,
):
    from django.urls import reverse

    from programme import ambassadorship

    keys = {}
    for person in (alice, bob):
        keys[person.pk] = BrowserKeys()
        endpoint = push_endpoint.url(f"/push/{person.username}")
        push_subscription_save(user=person, endpoint=endpoint, p256dh=keys[person.pk].p256dh, auth=keys[person.pk].auth)
    push_preferences_update(user=bob, frequencies={Kind.INVITATION: PushFrequency.OFF})
    with django_capture_on_commit_callbacks(execute=True):
        invitation = ambassadorship.ambassador_invite(user=alice, invited_by=casey)
        ambassadorship.ambassador_invite(user=bob, invited_by=casey)

    [message] = push_endpoint.messages
    assert message["path"] == f"/push/{alice.username}"
    assert keys[alice.pk].decrypt(message["body"]) == {
        "title": "You are invited to be an ambassador",
        "body": "Open it to accept or decline.",
        "url": reverse("programme:my_ambassadorship"),
        "tag": f"invitation:{invitation.pk}",
    }
