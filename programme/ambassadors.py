"""Identify: candidate ambassadors from the last 90 days, each with the reasons for their place.

Read from the dashboards' rollups and the shares (through ``analytics.selectors``) in two
grouped queries. People who asked to stay off leaderboards are not ranked here either.

score = 35% consistency (weeks with a share ÷ 13)
      + 25% human clicks per share (÷ the best candidate's)
      + 20% engagement per share (÷ the best candidate's)
      + 20% caption originality (shares with their own caption, not the suggested one)
then, to spread the list across teams and locations, each earlier candidate from the same
team lowers a score by SPREAD_PENALTY.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext

from analytics.selectors import Filters, rollups_in_range, shares_in_range

WINDOW_DAYS = 90
WEEKS = 13
MIN_SHARES = 3
SPREAD_PENALTY = 0.1
WEIGHTS = {"consistency": 0.35, "clicks": 0.25, "engagement": 0.20, "originality": 0.20}


@dataclass
class Candidate:
    user_id: int
    name: str
    team: str
    shares: int
    active_weeks: int
    human_clicks: int
    engagement: int
    original_captions: int
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)

    @property
    def clicks_per_share(self) -> float:
        return self.human_clicks / self.shares

    @property
    def engagement_per_share(self) -> float:
        return self.engagement / self.shares

    @property
    def originality(self) -> float:
        return self.original_captions / self.shares


def ambassador_candidates(*, today: date | None = None, limit: int = 25) -> list[Candidate]:
    """The ranked candidates (2 queries), best first, each with ``reasons`` explaining the score."""
    today = today or timezone.localdate()
    filters = Filters(start=today - timedelta(days=WINDOW_DAYS - 1), end=today)
    rows = (
        rollups_in_range(filters=filters)
        .filter(user__is_active=True, user__hide_from_leaderboards=False)
        .values(
            "user_id", display_name=F("user__display_name"), username=F("user__username"), team=F("user__team__name")
        )
        .annotate(
            shares=Count("pk"),
            active_weeks=Count(TruncWeek("day"), distinct=True),
            human_clicks=Coalesce(Sum("human_clicks"), 0),
            likes=Coalesce(Sum("reported_likes"), 0),
            reposts=Coalesce(Sum("reported_reposts"), 0),
            replies=Coalesce(Sum("reported_replies"), 0),
        )
        .filter(shares__gte=MIN_SHARES)
    )
    rows = list(rows)
    original = dict(
        shares_in_range(filters=filters)
        .filter(user_id__in=[row["user_id"] for row in rows])
        .exclude(caption="")
        .exclude(caption=F("post__suggested_caption"))
        .values("user_id")
        .annotate(n=Count("pk"))
        .values_list("user_id", "n")
    )
    candidates = [
        Candidate(
            user_id=row["user_id"],
            name=row["display_name"] or row["username"],
            team=row["team"] or gettext("No team"),
            shares=row["shares"],
            active_weeks=row["active_weeks"],
            human_clicks=row["human_clicks"],
            engagement=row["likes"] + row["reposts"] + row["replies"],
            original_captions=original.get(row["user_id"], 0),
        )
        for row in rows
    ]
    if not candidates:
        return []
    best_clicks = max(c.clicks_per_share for c in candidates) or 1
    best_engagement = max(c.engagement_per_share for c in candidates) or 1
    for c in candidates:
        parts = {
            "consistency": min(1.0, c.active_weeks / WEEKS),
            "clicks": c.clicks_per_share / best_clicks,
            "engagement": c.engagement_per_share / best_engagement,
            "originality": c.originality,
        }
        c.score = sum(WEIGHTS[key] * value for key, value in parts.items())
        c.reasons = [
            f"shared in {c.active_weeks} of {WEEKS} weeks",
            f"{c.clicks_per_share:.1f} human clicks per share (best: {best_clicks:.1f})",
            f"{c.engagement_per_share:.1f} engagement per share (best: {best_engagement:.1f})",
            f"own caption on {round(100 * c.originality)}% of {c.shares} shares",
        ]
    candidates.sort(key=lambda c: (-c.score, c.name, c.user_id))
    # Spread across teams: re-rank greedily, each earlier pick from the same team costing SPREAD_PENALTY.
    ranked, per_team = [], {}
    pool = list(candidates)
    while pool and len(ranked) < limit:
        best = max(pool, key=lambda c: (c.score - SPREAD_PENALTY * per_team.get(c.team, 0), -c.user_id))
        pool.remove(best)
        earlier = per_team.get(best.team, 0)
        if earlier:
            best.score -= SPREAD_PENALTY * earlier
            best.reasons.append(
                f"{earlier} higher-placed candidate{'s' if earlier > 1 else ''} from {best.team} (spread)"
            )
        else:
            best.reasons.append(f"first candidate from {best.team}")
        per_team[best.team] = earlier + 1
        ranked.append(best)
    return ranked
