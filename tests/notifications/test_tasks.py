"""Email tasks: idempotent, retried on mail server errors, and the weekly digest fan-out."""

import smtplib
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from advocacy.people.models import User
from content_library.services import suggestion_approve
from notifications.models import Delivery
from notifications.selectors import iso_week_key
from notifications.services import CLAIM_LEASE, notification_email_send
from notifications.tasks import queue_weekly_digests, send_email
from tests.content_library.factories import PostFactory, SuggestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved_suggestion(alice, casey):
    suggestion = SuggestionFactory(author=alice)
    suggestion_approve(suggestion=suggestion, reviewer=casey)
    return suggestion


@pytest.fixture
def flaky_mail_server(monkeypatch):
    """The first `failures` sends raise an SMTP error, later ones go through."""
    real_send = EmailMultiAlternatives.send
    state = {"failures": 1, "calls": 0}

    def send(message, fail_silently=False):
        state["calls"] += 1
        if state["calls"] <= state["failures"]:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(message, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    return state


def _send_approved_email(suggestion, user):
    return send_email.delay(Delivery.Kind.SUGGESTION_APPROVED, f"suggestion:{suggestion.pk}", user.pk)


def test_the_email_task_run_twice_sends_one_email(alice, approved_suggestion, celery_eager, mailoutbox):
    _send_approved_email(approved_suggestion, alice)
    _send_approved_email(approved_suggestion, alice)

    assert len(mailoutbox) == 1
    assert Delivery.objects.get().attempts == 1


def test_a_mail_server_error_is_retried_until_the_email_goes_out(
    alice, approved_suggestion, celery_eager, mailoutbox, flaky_mail_server, notification_logs
):
    flaky_mail_server["failures"] = 2
    _send_approved_email(approved_suggestion, alice)

    assert len(mailoutbox) == 1
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 3
    assert len(notification_logs.messages()) == 2
    assert "SMTPServerDisconnected" in notification_logs.messages()[0]


def test_it_gives_up_after_the_configured_retries_and_says_so(
    alice, approved_suggestion, celery_eager, mailoutbox, flaky_mail_server, notification_logs, settings
):
    settings.NOTIFY_MAX_RETRIES = 2
    flaky_mail_server["failures"] = 99
    result = _send_approved_email(approved_suggestion, alice)

    assert result.get() is False and mailoutbox == []
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 3
    assert "SMTPServerDisconnected" in delivery.last_error
    assert notification_logs.messages()[-1].startswith("Gave up on suggestion_approved email")


def test_a_failed_email_can_be_sent_by_a_later_run(alice, approved_suggestion, mailoutbox, flaky_mail_server):
    key = f"suggestion:{approved_suggestion.pk}"
    with pytest.raises(smtplib.SMTPServerDisconnected):
        notification_email_send(kind=Delivery.Kind.SUGGESTION_APPROVED, object_key=key, user_id=alice.pk)
    assert notification_email_send(kind=Delivery.Kind.SUGGESTION_APPROVED, object_key=key, user_id=alice.pk)
    assert len(mailoutbox) == 1


def test_an_email_being_sent_is_not_sent_again_until_its_lease_runs_out(alice, approved_suggestion, mailoutbox):
    key = f"suggestion:{approved_suggestion.pk}"
    Delivery.objects.create(
        kind=Delivery.Kind.SUGGESTION_APPROVED,
        object_key=key,
        recipient=f"user:{alice.pk}",
        user=alice,
        status=Delivery.Status.SENDING,
        claimed_at=timezone.now(),
    )
    assert notification_email_send(kind=Delivery.Kind.SUGGESTION_APPROVED, object_key=key, user_id=alice.pk) is False

    # The worker that claimed it died: after the lease another run sends it.
    Delivery.objects.update(claimed_at=timezone.now() - CLAIM_LEASE - timedelta(seconds=1))
    assert notification_email_send(kind=Delivery.Kind.SUGGESTION_APPROVED, object_key=key, user_id=alice.pk)
    assert len(mailoutbox) == 1


# --- Weekly digest ------------------------------------------------------------------------


@pytest.fixture
def library(alice, bob, engineering, sales):
    now = timezone.now()
    return {
        "everyone": PostFactory(title="For everyone", publish_at=now - timedelta(days=2)),
        "engineering": PostFactory(
            title="For engineering", publish_at=now - timedelta(days=1), target_teams=[engineering]
        ),
        "sales": PostFactory(title="For sales only", publish_at=now - timedelta(days=1), target_teams=[sales]),
        "old_featured": PostFactory(title="Old but featured", is_featured=True, publish_at=now - timedelta(days=30)),
        "old": PostFactory(title="Old news", publish_at=now - timedelta(days=30)),
        "scheduled": PostFactory(title="Not live yet", publish_at=now + timedelta(days=1)),
    }


def test_the_weekly_digest_goes_once_a_week_to_people_who_opted_in(
    alice, bob, dan, library, celery_eager, mailoutbox, django_capture_on_commit_callbacks
):
    bob.digest_frequency = User.DigestFrequency.NEVER
    bob.save()
    with django_capture_on_commit_callbacks(execute=True):
        queue_weekly_digests.delay()
    with django_capture_on_commit_callbacks(execute=True):
        queue_weekly_digests.delay()  # beat fired twice in the same week

    recipients = [message.to[0] for message in mailoutbox]
    assert alice.email in recipients and bob.email not in recipients and dan.email not in recipients
    assert len(recipients) == len(set(recipients))  # the second run sent nothing
    message = next(message for message in mailoutbox if message.to == [alice.email])
    assert message.subject == f"Your weekly advocacy digest ({iso_week_key(timezone.now())})"
    new_section = message.body.split("NEW IN THE LIBRARY")[1].split("FEATURED, READY TO SHARE")[0]
    assert "For engineering" in new_section and "For everyone" in new_section
    assert "Old but featured" in message.body.split("FEATURED, READY TO SHARE")[1]
    for hidden in ("For sales only", "Old news", "Not live yet"):
        assert hidden not in message.body
    assert f"{settings.SITE_URL}/library/{library['engineering'].slug}/" in message.body
    html, _ = message.alternatives[0]
    assert f'href="{settings.SITE_URL}/library/{library["engineering"].slug}/"' in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Delivery.objects.filter(kind=Delivery.Kind.WEEKLY_DIGEST, user=alice).count() == 1


def test_the_next_digest_covers_what_went_live_since_the_last_one(alice, library, celery_eager, mailoutbox):
    week = iso_week_key(timezone.now())
    send_email.delay(Delivery.Kind.WEEKLY_DIGEST, week, alice.pk)
    mailoutbox.clear()
    PostFactory(title="Brand new", publish_at=timezone.now() - timedelta(seconds=1))
    Delivery.objects.update(sent_at=timezone.now() - timedelta(seconds=2))

    send_email.delay(Delivery.Kind.WEEKLY_DIGEST, "2099-W01", alice.pk)

    new_section = mailoutbox[0].body.split("NEW IN THE LIBRARY")[1].split("FEATURED")[0]
    assert "Brand new" in new_section and "For everyone" not in new_section


def test_nobody_gets_an_empty_digest(alice, celery_eager, mailoutbox):
    send_email.delay(Delivery.Kind.WEEKLY_DIGEST, iso_week_key(timezone.now()), alice.pk)

    assert mailoutbox == []
    assert Delivery.objects.get().status == Delivery.Status.SKIPPED


def test_the_digest_tells_people_their_points_and_rank(alice, bob, harper, library):
    from leaderboard.services import points_adjust
    from leaderboard.standings_rebuild import standings_rebuild
    from notifications.selectors import digest_for

    points_adjust(user=alice, points=30, actor=harper, reason="Test points")
    points_adjust(user=bob, points=50, actor=harper, reason="Test points")
    standings_rebuild()
    next_week = timezone.now() + timedelta(days=7)  # this week becomes "last week"

    points = digest_for(user=alice, now=next_week).points
    assert (points.points, points.rank, points.total) == (30, 2, 30)


def test_the_digest_email_shows_points(alice, harper, celery_eager, mailoutbox):
    from leaderboard.services import points_adjust

    points_adjust(user=alice, points=12, actor=harper, reason="Test points")
    send_email.delay(Delivery.Kind.WEEKLY_DIGEST, iso_week_key(timezone.now()), alice.pk)

    assert "All time: 12 points." in mailoutbox[0].body
    assert f"{settings.SITE_URL}/leaderboard/me/" in mailoutbox[0].body
