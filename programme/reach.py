"""Reads for reach: potential reach (the audiences shares went out to) beside reported impressions.

- Potential reach of a share is its sharer's audience on that network: the follower count the
  network showed at the latest metrics pull (Mastodon, Bluesky; ``ShareMetrics.author_followers``),
  else, for LinkedIn, the connections the employee stated themselves (labelled "stated").
  A share with neither has no potential reach: it is counted as unknown, never as 0.
- Reported impressions are what networks say people saw, and only where they say it
  (``analytics.selectors.reported_sum``). They are shown beside potential reach, never added to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from advocacy.networks import Network, networks_reporting
from analytics.selectors import Filters, default_filters, reported_sum, shares_in_range

TOP_CAMPAIGNS = 10
_FROM_NETWORK = Q(metrics__author_followers__isnull=False)
_STATED = Q(network=Network.LINKEDIN, metrics__author_followers__isnull=True, user__stated_audience__isnull=False)


def _annotations() -> dict:
    return {
        "shares": Count("pk"),
        "network_audience": Coalesce(Sum("metrics__author_followers"), 0),
        "network_shares": Count("pk", filter=_FROM_NETWORK),
        "stated_audience": Coalesce(Sum("user__stated_audience__linkedin_connections", filter=_STATED), 0),
        "stated_shares": Count("pk", filter=_STATED),
        "impressions": reported_sum("impressions"),
        "impressions_known": Count("metrics__impressions", filter=Q(network__in=networks_reporting("impressions"))),
    }


@dataclass(frozen=True)
class Reach:
    shares: int
    network_audience: int  # followers the networks showed, summed over the shares that have them
    network_shares: int
    stated_audience: int  # LinkedIn connections employees stated, over the LinkedIn shares without a count
    stated_shares: int
    impressions: int | None  # reported by the networks; None when none reports it for these shares
    impressions_known: int
    name: str = ""

    @property
    def potential_reach(self) -> int:
        return self.network_audience + self.stated_audience

    @property
    def known_shares(self) -> int:
        return self.network_shares + self.stated_shares

    @property
    def unknown_shares(self) -> int:
        return self.shares - self.known_shares

    @property
    def per_share(self) -> int | None:
        """Average potential reach of a share whose audience is known (None when none is)."""
        if not self.known_shares:
            return None
        return int((Decimal(self.potential_reach) / self.known_shares).to_integral_value(rounding=ROUND_HALF_UP))


def reach_summary(*, filters: Filters | None = None) -> Reach:
    """Potential reach and reported impressions of the shares first made in the range (1 query)."""
    filters = filters or default_filters()
    return Reach(**shares_in_range(filters=filters).aggregate(**_annotations()))


def reach_by_campaign(*, filters: Filters | None = None) -> list[Reach]:
    """The same per campaign, highest potential reach first (1 query, at most TOP_CAMPAIGNS rows)."""
    filters = filters or default_filters()
    rows = (
        shares_in_range(filters=filters)
        .filter(post__campaign__isnull=False)
        .values("post__campaign_id")
        .annotate(name=F("post__campaign__name"), **_annotations())
        .order_by("-network_audience", "-stated_audience", "post__campaign_id")[:TOP_CAMPAIGNS]
    )
    return [Reach(**{key: value for key, value in row.items() if key != "post__campaign_id"}) for row in rows]


@dataclass(frozen=True)
class ReachEstimate:
    employees: int
    posts_per_month: int
    participation_percent: Decimal
    audience_per_share: int

    @property
    def shares_per_month(self) -> Decimal:
        return Decimal(self.employees) * self.participation_percent / 100 * self.posts_per_month

    @property
    def potential_reach(self) -> int:
        value = self.shares_per_month * self.audience_per_share
        return int(value.to_integral_value(rounding=ROUND_HALF_UP))

    @property
    def formula(self) -> str:
        return (
            f"{self.employees:,} employees × {self.participation_percent}% participating × "
            f"{self.posts_per_month:,} posts a month × {self.audience_per_share:,} people per share "
            f"= {self.potential_reach:,} potential reach a month"
        )


def reach_estimate(
    *, employees: int, posts_per_month: int, participation_percent: Decimal, audience_per_share: int
) -> ReachEstimate:
    """What the reach calculator answers: potential reach = N × participation × M × audience per share.

    A ceiling, not a forecast: audiences overlap, and a post reaches only part of an audience.
    """
    return ReachEstimate(
        employees=employees,
        posts_per_month=posts_per_month,
        participation_percent=Decimal(participation_percent),
        audience_per_share=audience_per_share,
    )
