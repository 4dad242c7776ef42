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
from .models import Delivery, PushFrequency, PushPreference, PushSubscription
from .push import PUSH_KINDS, push_allowed, push_enabled
from .selectors import digest_recipients, iso_week_key
from .tokens import MAILING_LISTS, MailingList, unsubscribe_url
from .webhooks import PAYLOADS, WebhookFailed, configured_channels, featured_post_summary, webhook_post, webhook_url

logger = logging.getLogger(__name__)

Kind = Delivery.Kind
Status = Delivery.Status
# A delivery left "sending" this long (its worker died mid-send) may be claimed again.
CLAIM_LEASE = timedelta(minutes=15)
MAX_BACKOFF_SECONDS = 3600
# A featured post is pushed if it went live this recently (older ones are old news by then).
FEATURED_PUSH_WINDOW = timedelta(hours=24)


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
    """Email everyone who must acknowledge this major policy version (if they want policy emails), and push to them."""
    _fan_out_after_commit(Kind.POLICY_MAJOR_VERSION, version_id)
    _push_fan_out_after_commit(Kind.POLICY_MAJOR_VERSION, version_id)


def notify_draw_winner(*, winner_id: int) -> None:
    """Push to a draw's winner (if they turned push on); the draws app emails them itself."""
    _push_fan_out_after_commit(Kind.DRAW_RESULT, winner_id)


def notify_invitation(*, invitation_id: int) -> None:
    """Email the invitee about an invitation from an app above (and push, if they turned that on).

    What it says is read at sending time from the inviting app's registered reader
    (``notifications.registry``): an invitation answered before the email leaves sends nothing.
    """
    _fan_out_after_commit(Kind.INVITATION, invitation_id)
    _push_fan_out_after_commit(Kind.INVITATION, invitation_id)


def _push_fan_out_after_commit(kind: str, object_id: int) -> None:
    if not push_enabled():
        return
    from .tasks import push_fan_out

    transaction.on_commit(lambda: push_fan_out.delay(kind, object_id))


def notify_post_featured(*, post_id: int) -> None:
    """Tell the configured Slack and/or Teams webhooks about a featured post.

    Safe to call on every save of a featured post: the message goes out once per post and
    channel, and only once the post is approved and scheduled (a featured draft waits).
    """
    from .tasks import post_featured_webhook

    for channel in configured_channels():
        transaction.on_commit(lambda channel=channel: post_featured_webhook.delay(post_id, channel))
    # Pushed now to the people it is aimed at if it is live; beat pushes it when it goes live otherwise.
    _push_fan_out_after_commit(Kind.POST_FEATURED, post_id)


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


def connection_reminders_queue() -> int:
    """Beat, daily: one reminder (email, and push where on) per account whose token lapses within a week.

    Each token is reminded once.

    The delivery row (unique on the account and its token's expiry) stops a second run from sending twice.
    """
    from connections.selectors import accounts_lapsing

    queued = 0
    for account_id in accounts_lapsing().values_list("pk", flat=True):
        queued += notification_fan_out(kind=Kind.CONNECTION_EXPIRING, object_id=account_id)
        # And a push to the devices of owners who turned push on (nothing when push is not configured).
        queued += push_fan_out_send(kind=Kind.CONNECTION_EXPIRING, object_id=account_id)
    return queued


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


# --- Web push -------------------------------------------------------------------------------


class PushRejected(Exception):
    """The push service refused a message for a reason other than an expired subscription (retried)."""


def push_fan_out_send(*, kind: str, object_id: int) -> int:
    """Queue one push task per person who turned push on and may still want this; returns how many were queued.

    People whose push for this went out or was skipped are left out, so running it again (beat
    does, for featured posts) only reaches those not served yet, such as someone who just turned push on.
    """
    from .tasks import push_send

    if not push_enabled():
        return 0
    object_key, people = PUSH_KINDS[kind].recipients(object_id)
    if not object_key:
        return 0
    done = Delivery.objects.filter(
        kind=kind, object_key=object_key, recipient__startswith="push:", status__in=[Status.SENT, Status.SKIPPED]
    ).values("user_id")
    user_ids = list(people.exclude(pk__in=done).values_list("pk", flat=True))
    for user_id in user_ids:
        transaction.on_commit(lambda user_id=user_id: push_send.delay(kind, object_key, user_id))
    return len(user_ids)


def push_featured_gone_live(*, now=None) -> int:
    """Fan out the featured posts that went live in the last day (beat, every few minutes); returns how many.

    A featured post scheduled for later has no event of its own when its publish_at passes; this
    is it. Posts already pushed to everyone cost one query each (push_fan_out_send skips them).
    """
    from content_library.selectors import post_live_q

    now = now or timezone.now()
    post_ids = list(
        Post.objects.filter(post_live_q(now=now), is_featured=True, publish_at__gt=now - FEATURED_PUSH_WINDOW)
        .order_by("publish_at", "pk")
        .values_list("pk", flat=True)
    )
    for post_id in post_ids:
        push_fan_out_send(kind=Kind.POST_FEATURED, object_id=post_id)
    return len(post_ids)


def _webpush(*, subscription: PushSubscription, payload: dict) -> int:
    """Encrypt (aes128gcm, RFC 8291) and post one message; the push service's status code."""
    import json

    from pywebpush import WebPushException, webpush

    try:
        response = webpush(
            subscription_info={
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=json.dumps(payload),
            vapid_private_key=settings.VAPID_PRIVATE_KEY,
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            content_encoding="aes128gcm",
            ttl=24 * 3600,
            timeout=settings.PUSH_TIMEOUT,
        )
    except WebPushException as exc:
        if exc.response is None:
            raise PushRejected(f"no answer from the push service: {exc.message}") from None
        return exc.response.status_code
    except OSError as exc:  # requests' connection errors and timeouts are OSErrors
        raise PushRejected(f"no answer from the push service: {exc!r}") from None
    return response.status_code


def push_send_one(*, kind: str, object_key: str, user_id: int, now=None) -> bool:
    """Push one notification to every device of one person, once, within their chosen frequency.

    True when at least one device got it. A subscription the push service calls gone (404/410)
    is deleted. When every device failed for another reason the delivery is marked failed and
    PushRejected is raised for the task to retry.
    """
    now = now or timezone.now()
    if not push_enabled() or not PushSubscription.objects.filter(user_id=user_id, user__is_active=True).exists():
        return False
    delivery = delivery_claim(kind=kind, object_key=object_key, recipient=f"push:{user_id}", user_id=user_id)
    if delivery is None:
        return False
    message = PUSH_KINDS[kind].build(object_key, delivery.user)
    if message is None:
        _delivery_finish(delivery, status=Status.SKIPPED, error="no longer relevant")
        return False
    if not push_allowed(delivery=delivery, now=now):
        _delivery_finish(delivery, status=Status.SKIPPED, error="over the person's chosen frequency")
        return False
    delivered, errors = 0, []
    for subscription in PushSubscription.objects.filter(user_id=user_id):
        try:
            status = _webpush(subscription=subscription, payload=message.as_payload())
        except PushRejected as exc:
            errors.append(str(exc))
            continue
        if status in (404, 410):
            subscription.delete()
            logger.info("Push subscription %s of user %s expired (%s): removed", subscription.pk, user_id, status)
        elif 200 <= status < 300:
            delivered += 1
            PushSubscription.objects.filter(pk=subscription.pk).update(last_sent_at=timezone.now())
        else:
            errors.append(f"push service answered {status}")
    if delivered or not errors:
        _delivery_finish(delivery, status=Status.SENT if delivered else Status.SKIPPED, error="; ".join(errors))
        return bool(delivered)
    _delivery_finish(delivery, status=Status.FAILED, error="; ".join(errors))
    logger.warning(
        "Push %s %s to user %s failed (attempt %s): %s", kind, object_key, user_id, delivery.attempts, errors
    )
    raise PushRejected("; ".join(errors))


@transaction.atomic
def push_subscription_save(
    *, user: User, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> PushSubscription:
    """Turn push on for one browser (or move its subscription to whoever signed in there now)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    from advocacy.vapid import b64url_decode

    try:
        URLValidator(schemes=["https", "http"])(endpoint)
        if len(endpoint) > 2000:
            raise ValidationError("too long")
    except ValidationError:
        raise ValidationError({"endpoint": "The browser sent a push endpoint that is not a URL."}) from None
    try:
        key_ok = len(b64url_decode(p256dh)) == 65 and len(b64url_decode(auth)) == 16
    except ValueError:
        key_ok = False
    if not key_ok:
        raise ValidationError({"keys": "The browser sent push keys of the wrong shape (p256dh: 65 bytes, auth: 16)."})
    subscription, _ = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"user": user, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:300]}
    )
    return subscription


@transaction.atomic
def push_subscription_delete(*, user: User, endpoint: str | None = None) -> int:
    """Turn push off: for one browser (its endpoint), or on every device when endpoint is None."""
    subscriptions = PushSubscription.objects.filter(user=user)
    if endpoint is not None:
        subscriptions = subscriptions.filter(endpoint=endpoint)
    deleted, _ = subscriptions.delete()
    return deleted


@transaction.atomic
def push_preferences_update(*, user: User, frequencies: dict[str, str]) -> None:
    """Save how often the person wants each kind of push (unknown kinds or frequencies are refused)."""
    from django.core.exceptions import ValidationError

    for kind, frequency in frequencies.items():
        if kind not in PUSH_KINDS or frequency not in PushFrequency.values:
            raise ValidationError(f"Not a push setting: {kind}={frequency}.")
    for kind, frequency in frequencies.items():
        PushPreference.objects.update_or_create(user=user, kind=kind, defaults={"frequency": frequency})


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
