from celery import shared_task
from django.core.management import call_command

from .health import worker_heartbeat_record


@shared_task(name="people.record_worker_heartbeat")
def record_worker_heartbeat():
    """Lets /healthz tell whether beat and a worker are alive."""
    worker_heartbeat_record()


@shared_task(name="people.clear_expired_sessions")
def clear_expired_sessions():
    call_command("clearsessions")


@shared_task(name="people.send_password_reset_email")
def send_password_reset_email(user_id: int):
    """Sent outside the request, so a slow mail server cannot stall or time a login page."""
    from .accounts import password_reset_email_send

    password_reset_email_send(user_id=user_id)


@shared_task(name="people.send_invitation", bind=True, max_retries=5)
def send_invitation(self, invitation_id: int):
    """One invitation email; a mail server error retries (the claim is released, so it is sent once)."""
    from .invitations import invitation_email_send

    try:
        invitation_email_send(invitation_id=invitation_id)
    except OSError as error:  # smtplib's errors are OSErrors
        raise self.retry(exc=error, countdown=60 * 2**self.request.retries) from error


@shared_task(name="people.import_apply_batch")
def import_apply_batch(import_id: int):
    """Apply the next batch of an import's rows; the service queues the following batch itself."""
    from .imports import import_apply_next_batch

    import_apply_next_batch(import_id=import_id)
