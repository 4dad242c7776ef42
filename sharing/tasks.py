from celery import shared_task

from .services import clicks_drain, clicks_purge


@shared_task(name="sharing.drain_clicks")
def drain_clicks():
    """Move clicks captured in Redis into the database; safe to overlap or repeat."""
    return clicks_drain()


@shared_task(name="sharing.purge_clicks")
def purge_clicks():
    return clicks_purge()
