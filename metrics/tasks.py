"""Celery tasks for engagement metrics: thin adapters over services, safe to run twice."""

from celery import shared_task

from . import services


@shared_task(name="metrics.schedule_pulls")
def schedule_pulls():
    """Beat, every few minutes: claim the pulls that are due and queue them in batches."""
    return services.pulls_schedule()


@shared_task(name="metrics.pull", acks_late=True, reject_on_worker_lost=True)
def pull_metrics(network: str, items: list, attempt: int = 0):
    """Pull one batch; ``items`` are [share_id, slot] pairs. Retries are queued by the service with countdowns."""
    report = services.metrics_pull(
        network=network, items=[services.PullItem.from_json(item) for item in items], attempt=attempt
    )
    return {"recorded": len(report.recorded), "skipped": len(report.skipped), "failed": len(report.failed)}
