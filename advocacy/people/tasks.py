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
