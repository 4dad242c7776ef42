import logging

from celery import shared_task
from django.conf import settings

from .services import (
    PushRejected,
    connection_reminders_queue,
    digest_queue_weekly,
    notification_email_send,
    notification_fan_out,
    post_featured_webhook_send,
    push_fan_out_send,
    push_featured_gone_live,
    push_send_one,
    retry_delay,
)
from .webhooks import WebhookFailed

logger = logging.getLogger(__name__)


def _retry_or_give_up(task, exc: Exception, *, what: str) -> bool:
    # Retries are counted from the settings at run time; giving up is logged, never raised, so an
    # eager run (tests, CELERY_TASK_ALWAYS_EAGER) cannot turn a dead mail server into a failed request.
    if task.request.retries >= settings.NOTIFY_MAX_RETRIES:
        logger.error("Gave up on %s after %s attempts: %s", what, task.request.retries + 1, exc)
        return False
    options = {
        "exc": exc,
        "countdown": retry_delay(attempt=task.request.retries),
        "max_retries": settings.NOTIFY_MAX_RETRIES,
    }
    if task.request.is_eager:
        # An eager run re-runs a *returned* Retry in place (countdown skipped); a raised one would propagate instead.
        return task.retry(throw=False, **options)
    raise task.retry(**options)


@shared_task(name="notifications.fan_out")
def fan_out(kind: str, object_id: int) -> int:
    """Queue one email per recipient of an event (a post submitted, a suggestion, a policy version...)."""
    return notification_fan_out(kind=kind, object_id=object_id)


@shared_task(bind=True, name="notifications.send_email")
def send_email(self, kind: str, object_key: str, user_id: int) -> bool:
    """Send one notification email; safe to run twice (the delivery is claimed before sending)."""
    try:
        return notification_email_send(kind=kind, object_key=object_key, user_id=user_id)
    except OSError as exc:  # smtplib.SMTPException and connection errors are all OSErrors
        return _retry_or_give_up(self, exc, what=f"{kind} email {object_key} to user {user_id}")


@shared_task(bind=True, name="notifications.post_featured_webhook")
def post_featured_webhook(self, post_id: int, channel: str) -> bool:
    """Announce a featured post on Slack or Teams, retried with backoff when the webhook fails."""
    try:
        return post_featured_webhook_send(post_id=post_id, channel=channel)
    except WebhookFailed as exc:
        return _retry_or_give_up(self, exc, what=f"{channel} webhook for featured post {post_id}")


@shared_task(name="notifications.queue_weekly_digests")
def queue_weekly_digests() -> int:
    """Beat, weekly: one digest task per opted-in person, keyed by (person, ISO week)."""
    return digest_queue_weekly()


@shared_task(name="notifications.queue_connection_reminders")
def queue_connection_reminders() -> int:
    """Beat, daily: remind people a week before a connected account's token lapses (once per token)."""
    return connection_reminders_queue()


@shared_task(name="notifications.push_fan_out")
def push_fan_out(kind: str, object_id: int) -> int:
    """Queue one push per person who turned push on and may want this (a featured post only once it is live)."""
    return push_fan_out_send(kind=kind, object_id=object_id)


@shared_task(name="notifications.push_featured_gone_live")
def push_featured_gone_live_task() -> int:
    """Beat, every 5 minutes: push featured posts whose publish_at has just passed."""
    return push_featured_gone_live()


@shared_task(bind=True, name="notifications.push_send")
def push_send(self, kind: str, object_key: str, user_id: int) -> bool:
    """Push one notification to a person's devices; safe to run twice (the delivery is claimed before sending)."""
    try:
        return push_send_one(kind=kind, object_key=object_key, user_id=user_id)
    except PushRejected as exc:
        return _retry_or_give_up(self, exc, what=f"{kind} push {object_key} to user {user_id}")
