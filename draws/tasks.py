import logging

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Winner
from .selectors import draws_due_for_freezing
from .services import draw_freeze

logger = logging.getLogger(__name__)


@shared_task(name="draws.freeze_due_draws")
def freeze_due_draws():
    """Freeze every draw whose entry window has closed; freezing twice is a no-op."""
    for draw in draws_due_for_freezing():
        try:
            draw_freeze(draw=draw)
        except ValidationError as error:
            logger.warning("Draw %s cannot be frozen: %s", draw.pk, "; ".join(error.messages))


@shared_task(name="draws.notify_winner", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_winner(winner_id: int):
    """Email one winner; the row is claimed first so a second run sends nothing."""
    winner = Winner.objects.select_related("draw", "prize", "entrant__user").filter(pk=winner_id).first()
    if winner is None or not winner.is_current or not winner.entrant.user.email:
        return
    claimed = Winner.objects.filter(pk=winner_id, notified_at__isnull=True).update(notified_at=timezone.now())
    if claimed != 1:
        return
    context = {
        "winner": winner,
        "draw_url": settings.SITE_URL + reverse("draws:detail", kwargs={"pk": winner.draw_id}),
    }
    try:
        send_mail(
            subject=f"You won a prize in {winner.draw.name}",
            message=render_to_string("draws/email/winner.txt", context),
            from_email=None,
            recipient_list=[winner.entrant.user.email],
        )
    except OSError:
        Winner.objects.filter(pk=winner_id).update(notified_at=None)
        raise
