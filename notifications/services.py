"""Writes for notifications.

The ``notify_*`` hooks are what other apps call from inside their own services; they only
queue work for after the caller's transaction commits, so a rolled-back request sends
nothing and a slow mail server or webhook never holds up a page. The tasks then fan out
one email per recipient (``notification_fan_out``) and send each one at most once
(``notification_email_send``, ``post_featured_webhook_send``): every delivery is a row
unique on (kind, object, recipient), claimed with a conditional update before sending.
"""

import logging
import random
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from advocacy.people.models import User
from content_library.models import Post

from .messages import KINDS, Email, absolute
from .models import Delivery
from .selectors import digest_recipients, iso_week_key
from .tokens import MAILING_LISTS, MailingList, unsubscribe_url
from .webhooks import PAYLOADS, WebhookFailed, configured_channels, featured_post_summary, webhook_post, webhook_url

logger = logging.getLogger(__name__)

Kind = Delivery.Kind
Status = Delivery.Status
# A delivery left "sending" this long (its worker died mid-send) may be claimed again.
CLAIM_LEASE = timedelta(minutes=15)
MAX_BACKOFF_SECONDS = 3600


# --- Hooks for other apps -------------------------------------------------------------------


def _fan_out_after_commit(kind: str, object_id: int) -> None:
    from .tasks import fan_out

    transaction.on_commit(lambda: fan_out.delay(kind, object_id))


def notify_post_submitted(*, post_id: int) -> None:
    """Email the comms admins (except whoever submitted it) that a post waits for review."""
    _fan_out_after_commit(Kind.POST_SUBMITTED, post_id)


def notify_suggestion_submitted(*, suggestion_id: int) -> None:
    """Email the comms admins that an employee suggested content."""
    _fan_out_after_commit(Kind.SUGGESTION_SUBMITTED, suggestion_id)


def notify_suggestion_approved(*, suggestion_id: int) -> None:
    """Email the author that their suggestion was approved (if they want suggestion emails)."""
    _fan_out_after_commit(Kind.SUGGESTION_APPROVED, suggestion_id)


def notify_policy_major_version(*, version_id: int) -> None:
    """Email everyone who must acknowledge this major policy version (if they want policy emails)."""
    _fan_out_after_commit(Kind.POLICY_MAJOR_VERSION, version_id)


def notify_post_featured(*, post_id: int) -> None:
    """Tell the configured Slack and/or Teams webhooks about a featured post.

    Safe to call on every save of a featured post: the message goes out once per post and
    channel, and only once the post is approved and scheduled (a featured draft waits).
    """
    from .tasks import post_featured_webhook

    for channel in configured_channels():
        transaction.on_commit(lambda channel=channel: post_featured_webhook.delay(post_id, channel))


# --- Claiming deliveries --------------------------------------------------------------------


def delivery_claim(*, kind: str, object_key: str, recipient: str, user_id: int | None = None) -> Delivery | None:
    """Claim the delivery (kind, object_key, recipient) for sending; None when it is sent, skipped or being sent."""
    delivery, _ = Delivery.objects.get_or_create(
        kind=kind, object_key=object_key, recipient=recipient, defaults={"user_id": user_id}
    )
    now = timezone.now()
    claimable = Q(status__in=[Status.PENDING, Status.FAILED]) | Q(
        status=Status.SENDING, claimed_at__lt=now - CLAIM_LEASE
    )
    claimed = Delivery.objects.filter(claimable, pk=delivery.pk).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return None
    delivery.refresh_from_db()
    return delivery


def _delivery_finish(delivery: Delivery, *, status: str, error: str = "") -> None:
    # Only the claim that is still ours: a worker that outlived its lease must not overwrite a newer outcome.
    Delivery.objects.filter(pk=delivery.pk, status=Status.SENDING, claimed_at=delivery.claimed_at).update(
        status=status, sent_at=timezone.now() if status == Status.SENT else None, last_error=error[:500]
    )


def retry_delay(*, attempt: int) -> int:
    """Seconds before retry ``attempt`` (0-based): doubling from NOTIFY_RETRY_BACKOFF_SECONDS, capped, jittered."""
    ceiling = min(settings.NOTIFY_RETRY_BACKOFF_SECONDS * 2**attempt, MAX_BACKOFF_SECONDS)
    # Jitter spreads retries from many tasks that failed together (a mail server restart).
    return max(1, round(ceiling * random.uniform(0.5, 1.0)))


# --- Emails ---------------------------------------------------------------------------------


def notification_fan_out(*, kind: str, object_id: int) -> int:
    """Queue one email task per recipient of an event; returns how many were queued."""
    from .tasks import send_email

    object_key, people = KINDS[kind].recipients(object_id)
    if not object_key:
        return 0
    user_ids = list(people.values_list("pk", flat=True))
    for user_id in user_ids:
        transaction.on_commit(lambda user_id=user_id: send_email.delay(kind, object_key, user_id))
    return len(user_ids)


def email_message_build(*, email: Email, user: User) -> EmailMultiAlternatives:
    """Plain text plus HTML, with absolute links, and RFC 8058 one-click unsubscribe headers for opt-out emails."""
    context = {
        **email.context,
        "user": user,
        "site_url": settings.SITE_URL,
        "profile_url": absolute(reverse("people:profile")),
    }
    headers = {}
    if email.unsubscribe_list:
        link = unsubscribe_url(user_id=user.pk, list_name=email.unsubscribe_list)
        context["unsubscribe_url"] = link
        context["unsubscribe_label"] = MAILING_LISTS[email.unsubscribe_list].label
        headers["List-Unsubscribe"] = f"<{link}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=" ".join(email.subject.split()),  # a newline in a title must not break the header
        body=render_to_string(f"{email.template}.txt", context),
        to=[user.email],
        headers=headers,
    )
    message.attach_alternative(render_to_string(f"{email.template}.html", context), "text/html")
    return message


def notification_email_send(*, kind: str, object_key: str, user_id: int) -> bool:
    """Send one notification email unless it went out already; True when an email was sent.

    Whether it is still worth sending (the post is still waiting, the person still wants
    these emails) is decided now, not when the event happened. A mail server error marks
    the delivery failed and is raised for the task to retry; a later run can claim it again.
    """
    if not User.objects.filter(pk=user_id).exists():
        return False
    delivery = delivery_claim(kind=kind, object_key=object_key, recipient=f"user:{user_id}", user_id=user_id)
    if delivery is None:
        return False
    user = User.objects.get(pk=user_id)
    email = KINDS[kind].build(object_key, user) if user.is_active and user.email else None
    if email is None:
        _delivery_finish(delivery, status=Status.SKIPPED)
        return False
    try:
        email_message_build(email=email, user=user).send()
    except Exception as exc:
        _delivery_finish(delivery, status=Status.FAILED, error=repr(exc))
        logger.warning(
            "Notification email %s %s to user %s failed (attempt %s): %r",
            kind,
            object_key,
            user_id,
            delivery.attempts,
            exc,
        )
        raise
    _delivery_finish(delivery, status=Status.SENT)
    return True


def digest_queue_weekly(*, now=None) -> int:
    """Queue this ISO week's digest for everyone who opted in and has not had it; returns how many were queued."""
    from .tasks import send_email

    week = iso_week_key(now or timezone.now())
    user_ids = list(digest_recipients(week_key=week).values_list("pk", flat=True))
    for user_id in user_ids:
        transaction.on_commit(lambda user_id=user_id: send_email.delay(Kind.WEEKLY_DIGEST, week, user_id))
    return len(user_ids)


# --- Webhooks -------------------------------------------------------------------------------


def _ready_to_announce(post: Post | None) -> bool:
    now = timezone.now()
    return (
        post is not None
        and post.is_featured
        and post.status == Post.Status.APPROVED
        and post.publish_at is not None
        and (post.expires_at is None or post.expires_at > now)
    )


def post_featured_webhook_send(*, post_id: int, channel: str) -> bool:
    """Post a featured post to one chat webhook, once; True when the webhook accepted it.

    Nothing is recorded while the post is not approved and scheduled, so approving a featured
    draft later still announces it. A failure marks the delivery failed, is logged (never with
    the webhook URL, which is a secret) and raises WebhookFailed for the task to retry.
    """
    url = webhook_url(channel)
    post = Post.objects.filter(pk=post_id).select_related("campaign").first()
    if not url or not _ready_to_announce(post):
        return False
    delivery = delivery_claim(kind=Kind.POST_FEATURED, object_key=f"post:{post_id}", recipient=channel)
    if delivery is None:
        return False
    link = absolute(reverse("content_library:post_detail", kwargs={"slug": post.slug}))
    payload = PAYLOADS[channel](featured_post_summary(post=post, url=link))
    try:
        webhook_post(url=url, payload=payload, timeout=settings.NOTIFY_WEBHOOK_TIMEOUT)
    except WebhookFailed as exc:
        _delivery_finish(delivery, status=Status.FAILED, error=str(exc))
        logger.warning(
            "Featured-post webhook %s for post %s failed (attempt %s): %s", channel, post_id, delivery.attempts, exc
        )
        raise
    _delivery_finish(delivery, status=Status.SENT)
    logger.info("Featured-post webhook %s accepted post %s", channel, post_id)
    return True


# --- Unsubscribing --------------------------------------------------------------------------


@transaction.atomic
def unsubscribe_apply(*, user_id: int, mailing_list: MailingList) -> bool:
    """Switch one kind of email off for a person (from a signed link); True when something changed.

    A single-field update rather than the full profile service: the switch cannot be
    invalid, and nothing else about the profile should stand in the way of unsubscribing.
    """
    changed = (
        User.objects.filter(pk=user_id)
        .exclude(**{mailing_list.field: mailing_list.off_value})
        .update(**{mailing_list.field: mailing_list.off_value})
    )
    return changed == 1
