"""Reads for engagement metrics: provider health for admins, a share's history for its owner and admins."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from advocacy.networks import Network
from advocacy.people.roles import COMMS_WORKSPACE, HR_WORKSPACE
from sharing.models import Share

from .models import MetricSnapshot, ProviderHealth, PullFailure, ShareMetrics
from .providers import PROVIDER_CLASSES, provider_for

RECENT_FAILURES = 25


@dataclass(frozen=True)
class ProviderRow:
    network: str
    label: str
    configured: bool
    needs_token: bool
    reports: tuple[str, ...]
    notes: str
    health: ProviderHealth | None
    tracking: int
    deleted: int
    unavailable: int
    finished: int


def provider_health_list() -> list[ProviderRow]:
    """One row per network we can pull from: configuration, last outcome and what is tracked.

    Two queries whatever the number of shares: the health rows, and one aggregate.
    """
    healths = {health.network: health for health in ProviderHealth.objects.all()}
    status = ShareMetrics.Status
    counts = {
        row["network"]: row
        for row in ShareMetrics.objects.filter(is_demo=False)
        .values("network")
        .annotate(
            tracking=Count("pk", filter=Q(status=status.TRACKING)),
            deleted=Count("pk", filter=Q(status=status.DELETED)),
            unavailable=Count("pk", filter=Q(status=status.UNAVAILABLE)),
            finished=Count("pk", filter=Q(status=status.FINISHED)),
        )
    }
    rows = []
    for network, cls in PROVIDER_CLASSES.items():
        tally = counts.get(network, {})
        rows.append(
            ProviderRow(
                network=network,
                label=Network(network).label,
                configured=provider_for(network).is_configured(),
                needs_token=cls.needs_token,
                reports=cls.reports,
                notes=cls.notes,
                health=healths.get(network),
                tracking=tally.get("tracking", 0),
                deleted=tally.get("deleted", 0),
                unavailable=tally.get("unavailable", 0),
                finished=tally.get("finished", 0),
            )
        )
    return rows


def pull_failure_recent(*, limit: int = RECENT_FAILURES) -> QuerySet[PullFailure]:
    return PullFailure.objects.select_related("share__user", "share__post").order_by("-recorded_at", "-id")[:limit]


def share_for_metrics(*, share_id: int, user) -> Share | None:
    """The share if ``user`` may see its metrics (its owner, comms or HR), with its tracking row loaded."""
    shares = Share.objects.select_related("user", "post", "metrics")
    if not (user.has_perm(COMMS_WORKSPACE) or user.has_perm(HR_WORKSPACE)):
        shares = shares.filter(user=user)
    return shares.filter(pk=share_id).first()


def share_snapshot_history(*, share: Share) -> list[MetricSnapshot]:
    return list(MetricSnapshot.objects.filter(share=share).order_by("slot"))


def share_pull_failures(*, share: Share, limit: int = 10) -> list[PullFailure]:
    return list(PullFailure.objects.filter(share=share).order_by("-recorded_at", "-id")[:limit])
