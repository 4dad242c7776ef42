"""Celery tasks for listening: beat queues one collection per term; each takes the term's id."""

from celery import shared_task

from .models import Term
from .services import mentions_collect


@shared_task(name="listening.queue_collections")
def queue_collections():
    """Beat, every LISTENING_INTERVAL_MINUTES: one collection task per term."""
    term_ids = list(Term.objects.values_list("pk", flat=True))
    for term_id in term_ids:
        collect_mentions.delay(term_id)
    return len(term_ids)


@shared_task(name="listening.collect_mentions")
def collect_mentions(term_id: int):
    """Read the networks for one term. Safe to run twice: mentions are unique and days are recounted."""
    term = Term.objects.filter(pk=term_id).first()
    if term is None:
        return {"new": 0, "errors": ["no such term"]}
    result = mentions_collect(term=term)
    return {"new": result.new, "errors": result.errors}
