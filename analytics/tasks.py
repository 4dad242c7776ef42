"""Celery tasks for the dashboards' rollups: thin adapters over ``analytics.rollups``."""

from celery import shared_task

from . import rollups


@shared_task(name="analytics.refresh_rollups")
def refresh_rollups(full: bool = False) -> int:
    """Re-read the shares changed since the last run into the rollups (``full``: every share)."""
    return rollups.rollups_refresh(full=full)
