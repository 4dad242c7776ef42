import smtplib

from celery import shared_task

from .services import acknowledgement_reminder_send


@shared_task(
    name="guidelines.send_acknowledgement_reminder",
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def send_acknowledgement_reminder(reminder_id: int) -> bool:
    """Email one reminder; safe to run twice (the reminder row is claimed before sending)."""
    return acknowledgement_reminder_send(reminder_id=reminder_id)
