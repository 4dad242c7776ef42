"""The figures of the comms and HR dashboards, each from a few grouped queries.

Conventions every figure follows, so the numbers on one page agree with each other:

- A share counts in a range when it was first made in it (``Share.created_at``), and the
  dates of a range are whole days in the site's time zone, both ends included.
- The grouped figures are read from ``ShareRollup`` (one narrow row per share that the workers
  keep current, ``analytics/rollups.py``), never from shares joined to their metrics; a
  figure is as fresh as the last refresh (a minute). ``tests/analytics/test_rollups.py``
  checks them against the same figures computed from the raw rows.
- Human clicks are ``Share.human_clicks`` of those shares: every counted click the link
  ever received, whenever it happened. The tally survives the purge of raw clicks, which
  ``Click`` rows would not. (A post's "clicks over time" is the one exception: it needs
  dates, so it reads the ``Click`` rows still kept, counted per day, never listed.)
- Engagement and impressions are the latest totals in ``ShareMetrics``, summed only over
  the networks that report that figure (``advocacy.networks.REPORTED_METRICS``); a figure
  no share in a row has is None ("–" on the page, an empty CSV cell), never 0.
- Active employees are active accounts in the Employee role (as for acknowledgement rates).
- Team-level figures for a team with fewer than ``MIN_GROUP_SIZE`` active employees are hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncWeek
from django.shortcuts import get_object_or_404
from django.utils import timezone

from advocacy.networks import networks_reporting
from advocacy.people.models import Team, User
from advocacy.people.selectors import active_employees
from content_library.models import Post
from guidelines.selectors import acknowledgement_rates_by_team
from sharing.models import Click, Share

from .models import PostDayRollup, ShareRollup

MIN_GROUP_SIZE = 5
TOP_LIMIT = 10
# Ranges longer than this are drawn week by week, shorter ones day by day.
DAILY_TREND_MAX_DAYS = 62


@dataclass(frozen=True)
class Filters:
    start: date
    end: date  # inclusive
    team: Team | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_before(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    @property
    def granularity(self) -> str:
        return "day" if self.days <= DAILY_TREND_MAX_DAYS else "week"


def default_filters(*, today: date | None = None) -> Filters:
    today = today or timezone.localdate()
    return Filters(start=today - timedelta(days=29), end=today)


def shares_in_range(*, filters: Filters) -> QuerySet[Share]:
    shares = Share.objects.filter(created_at__gte=filters.start_at, created_at__lt=filters.end_before)
    if filters.team is not None:
        shares = shares.filter(user__team=filters.team)
    return shares


def rollups_in_range(*, filters: Filters) -> QuerySet[ShareRollup]:
    """The rollup rows of the shares first made in the range (whole days in the site's time zone)."""
    rows = ShareRollup.objects.filter(day__gte=filters.start, day__lte=filters.end)
    if filters.team is not None:
        rows = rows.filter(user__team=filters.team)
    return rows


def post_rollups_in_range(*, filters: Filters) -> QuerySet:
    """The rows the figures that need no person add up: per (day, post, network) without a team,
    per share with one (a person's team is read now, so it is never stale).

    Both kinds of row answer ``_result_annotations(rows)`` with the same figures.
    """
    if filters.team is not None:
        return rollups_in_range(filters=filters)
    return PostDayRollup.objects.filter(day__gte=filters.start, day__lte=filters.end)


def reported_sum(metric: str, *, prefix: str = "") -> Sum:
    """The total of a metric over the shares whose network reports it; None when no share has it."""
    return Sum(f"{prefix}metrics__{metric}", filter=Q(**{f"{prefix}network__in": networks_reporting(metric)}))


def known_total(*values: int | None) -> int | None:
    """The sum of the figures that are known; None when none is (an unknown is never a 0)."""
    known = [value for value in values if value is not None]
    return sum(known) if known else None


def _result_annotations(rows: QuerySet | None = None) -> dict:
    """The same columns for every grouped table of rollups: shares, human clicks, engagement, impressions.

    A rollup's figure is None when its network does not report it, so a plain Sum is None
    exactly when no share in the group has the figure; a per-day row holds the sum of its
    shares' figures (None when none has it), so summing those gives the same answer.
    """
    if rows is not None and rows.model is PostDayRollup:
        return {
            "shares": Coalesce(Sum("share_count"), 0),
            "human_clicks": Coalesce(Sum("human_click_count"), 0),
            "likes": Sum("likes_total"),
            "reposts": Sum("reposts_total"),
            "replies": Sum("replies_total"),
            "impressions": Sum("impressions_total"),
            "impressions_known": Coalesce(Sum("impressions_known_count"), 0),
        }
    return {
        "shares": Count("pk"),
        "human_clicks": Coalesce(Sum("human_clicks"), 0),
        "likes": Sum("reported_likes"),
        "reposts": Sum("reported_reposts"),
        "replies": Sum("reported_replies"),
        "impressions": Sum("reported_impressions"),
        "impressions_known": Count("reported_impressions"),
    }


def _share_result_annotations() -> dict:
    """The same columns computed from shares joined to their metrics (one post's page, the checks)."""
    return {
        "shares": Count("pk"),
        "human_clicks": Coalesce(Sum("human_clicks"), 0),
        "likes": reported_sum("likes"),
        "reposts": reported_sum("reposts"),
        "replies": reported_sum("replies"),
        "impressions": reported_sum("impressions"),
        "impressions_known": Count("metrics__impressions", filter=Q(network__in=networks_reporting("impressions"))),
    }


# --- Participation ---------------------------------------------------------------


@dataclass
class TeamParticipation:
    team_id: int | None
    name: str
    members: int
    sharers: int

    @property
    def hidden(self) -> bool:
        return group_too_small(members=self.members)

    @property
    def percent(self) -> int:
        return round(100 * self.sharers / self.members) if self.members else 0


def group_too_small(*, members: int) -> bool:
    """The one privacy rule: figures of a group with fewer than MIN_GROUP_SIZE active employees are withheld."""
    return members < MIN_GROUP_SIZE


def team_too_small(*, filters: Filters, participation: list[TeamParticipation] | None = None) -> bool:
    """Whether the team the filters choose is too small to show (False when no team is chosen).

    Pass the participation rows already read for these filters to save the query.
    """
    if filters.team is None:
        return False
    if participation is None:
        participation = participation_by_team(filters=filters)
    return group_too_small(members=sum(row.members for row in participation))


def acknowledgement_rates() -> dict:
    """The policy acknowledgement rates per team, with ``rows`` of (rate, hidden) for the HR dashboard."""
    rates = acknowledgement_rates_by_team()
    return rates | {"rows": [(rate, group_too_small(members=rate.members)) for rate in rates["rates"]]}


def participation_by_team(*, filters: Filters) -> list[TeamParticipation]:
    """Active employees per team and how many of them shared in the range (one grouped query).

    "Shared" reads the rollups like every other figure on the page, so the sharers and the
    shares are counted from the same rows.

    Every row is returned, small teams included, so totals add up; ``hidden`` tells the
    page and the exports to withhold a small team's figures.
    """
    # The rollups' (person, day) index answers "shared in the range?" without reading a share.
    shared = ShareRollup.objects.filter(user_id=OuterRef("pk"), day__gte=filters.start, day__lte=filters.end)
    people = active_employees()
    if filters.team is not None:
        people = people.filter(team=filters.team)
    rows = (
        people.annotate(has_shared=Exists(shared))
        .values("team_id", team_name=F("team__name"))
        # No DISTINCT: one row per person (the Employee group is held once), and the sort it needs is the slow part.
        .annotate(members=Count("pk"), sharers=Count("pk", filter=Q(has_shared=True)))
        .order_by(F("team__name").asc(nulls_last=True))
    )
    return [
        TeamParticipation(
            team_id=row["team_id"], name=row["team_name"] or "No team", members=row["members"], sharers=row["sharers"]
        )
        for row in rows
    ]


# --- The comms dashboard -----------------------------------------------------------


@dataclass
class Totals:
    active_employees: int
    sharers: int
    shares: int
    human_clicks: int
    # None: no share in the range has the figure (its networks do not report it, or not yet).
    likes: int | None
    reposts: int | None
    replies: int | None
    impressions: int | None
    impressions_known: int  # shares whose impressions the network reports
    cpm: Decimal
    cpc: Decimal

    @property
    def adoption_percent(self) -> int:
        return round(100 * self.sharers / self.active_employees) if self.active_employees else 0

    @property
    def engagement(self) -> int | None:
        return known_total(self.likes, self.reposts, self.replies)

    @property
    def impressions_counted(self) -> int:
        """Impressions as the earned media value counts them: only the known ones."""
        return self.impressions or 0

    @property
    def impressions_value(self) -> Decimal:
        return Decimal(self.impressions_counted) / 1000 * self.cpm

    @property
    def clicks_value(self) -> Decimal:
        return self.human_clicks * self.cpc

    @property
    def earned_media_value(self) -> Decimal:
        return (self.impressions_value + self.clicks_value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def earned_media_rates() -> tuple[Decimal, Decimal]:
    # str() first: a float setting like 0.1 would otherwise carry its binary error into money.
    return Decimal(str(settings.ANALYTICS_CPM)), Decimal(str(settings.ANALYTICS_CPC))


def totals_for(*, filters: Filters, participation: list[TeamParticipation]) -> Totals:
    """Headline figures: one aggregate over the shares; people come from the participation rows."""
    rows = post_rollups_in_range(filters=filters)
    figures = rows.aggregate(**_result_annotations(rows))
    cpm, cpc = earned_media_rates()
    return Totals(
        active_employees=sum(row.members for row in participation),
        sharers=sum(row.sharers for row in participation),
        shares=figures["shares"],
        human_clicks=figures["human_clicks"],
        likes=figures["likes"],
        reposts=figures["reposts"],
        replies=figures["replies"],
        impressions=figures["impressions"],
        impressions_known=figures["impressions_known"],
        cpm=cpm,
        cpc=cpc,
    )


def results_by_post(*, filters: Filters) -> QuerySet:
    rows = post_rollups_in_range(filters=filters)
    return (
        rows.values("post_id", title=F("post__title"), slug=F("post__slug"))
        .annotate(**_result_annotations(rows))
        .order_by("-shares", "-human_clicks", "post_id")
    )


def results_by_campaign(*, filters: Filters) -> QuerySet:
    rows = post_rollups_in_range(filters=filters)
    return (
        rows.filter(post__campaign__isnull=False)
        .values(campaign_id=F("post__campaign_id"), name=F("post__campaign__name"))
        .annotate(**_result_annotations(rows))
        .order_by("-shares", "-human_clicks", "campaign_id")
    )


def results_by_contributor(*, filters: Filters) -> QuerySet:
    """Per person, for comms; people who asked to stay off leaderboards are left out here too.

    Grouped by the person's id alone and named by subqueries, which the database evaluates
    only for the rows kept (the top ten): grouping by the names too sorted every row by them.
    """
    person = User.objects.filter(pk=OuterRef("user_id")).order_by()
    return (
        rollups_in_range(filters=filters)
        .filter(user__hide_from_leaderboards=False)
        .values("user_id")
        .annotate(**_result_annotations())
        .annotate(
            username=Subquery(person.values("username")[:1]),
            display_name=Subquery(person.values("display_name")[:1]),
            team_name=Subquery(person.values("team__name")[:1]),
        )
        .order_by("-shares", "-human_clicks", "user_id")
    )


def results_by_network(*, filters: Filters) -> QuerySet:
    rows = post_rollups_in_range(filters=filters)
    return rows.values("network").annotate(**_result_annotations(rows)).order_by("-shares", "network")


def results_by_content_type(*, filters: Filters) -> QuerySet:
    rows = post_rollups_in_range(filters=filters)
    return (
        rows.values(content_type=F("post__content_type"))
        .annotate(**_result_annotations(rows))
        .order_by("-shares", "content_type")
    )


def trend(*, filters: Filters) -> list[dict]:
    """Shares and human clicks per day (or ISO week for long ranges), with empty periods filled in."""
    rows = post_rollups_in_range(filters=filters)
    figures = _result_annotations(rows)
    rows = (
        (rows.annotate(period=F("day")) if filters.granularity == "day" else rows.annotate(period=TruncWeek("day")))
        .values("period")
        .annotate(shares=figures["shares"], human_clicks=figures["human_clicks"])
        .order_by("period")
    )
    found = {(row["period"].date() if isinstance(row["period"], datetime) else row["period"]): row for row in rows}
    step = timedelta(days=1 if filters.granularity == "day" else 7)
    first = filters.start if filters.granularity == "day" else filters.start - timedelta(days=filters.start.weekday())
    series, day = [], first
    while day <= filters.end:
        row = found.get(day, {})
        series.append({"period": day, "shares": row.get("shares", 0), "human_clicks": row.get("human_clicks", 0)})
        day += step
    return series


_LABELS = {
    "network": dict(Share._meta.get_field("network").choices),
    "content_type": dict(Post.ContentType.choices),
}


def label_for(kind: str, value: str) -> str:
    return _LABELS[kind].get(value, value)


@dataclass
class CommsDashboard:
    filters: Filters
    hidden: bool  # the chosen team is too small to show
    participation: list[TeamParticipation] = field(default_factory=list)
    totals: Totals | None = None
    top_posts: list[dict] = field(default_factory=list)
    top_campaigns: list[dict] = field(default_factory=list)
    top_contributors: list[dict] = field(default_factory=list)
    networks: list[dict] = field(default_factory=list)
    content_types: list[dict] = field(default_factory=list)
    trend: list[dict] = field(default_factory=list)


def comms_dashboard(*, filters: Filters) -> CommsDashboard:
    """Every figure of the comms dashboard in a fixed number of queries (8; 1 when a small team is chosen).

    participation, totals, top posts, top campaigns, top contributors, networks,
    content types, trend.
    """
    participation = participation_by_team(filters=filters)
    if team_too_small(filters=filters, participation=participation):
        return CommsDashboard(filters=filters, hidden=True, participation=participation)
    networks = list(results_by_network(filters=filters))
    for row in networks:
        row["label"] = label_for("network", row["network"])
    content_types = list(results_by_content_type(filters=filters))
    for row in content_types:
        row["label"] = label_for("content_type", row["content_type"])
    return CommsDashboard(
        filters=filters,
        hidden=False,
        participation=participation,
        totals=totals_for(filters=filters, participation=participation),
        top_posts=list(results_by_post(filters=filters)[:TOP_LIMIT]),
        top_campaigns=list(results_by_campaign(filters=filters)[:TOP_LIMIT]),
        top_contributors=list(results_by_contributor(filters=filters)[:TOP_LIMIT]),
        networks=networks,
        content_types=content_types,
        trend=trend(filters=filters),
    )


# --- One post ----------------------------------------------------------------------


def post_for_analytics(*, post_id: int) -> Post:
    return get_object_or_404(Post.objects.select_related("campaign"), pk=post_id)


@dataclass
class PostPerformance:
    post: Post
    totals: dict
    networks: list[dict]
    clicks_by_day: list[dict]


def post_clicks_by_day(*, post: Post) -> list[dict]:
    """Counted clicks per day from the raw clicks still kept (CLICK_RETENTION_DAYS), never the clicks themselves."""
    rows = (
        Click.objects.filter(share__post=post, kind=Click.Kind.HUMAN)
        .annotate(day=TruncDate("occurred_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(clicks=Count("pk"))
        .order_by("day")
    )
    return [{"period": row["day"], "human_clicks": row["clicks"]} for row in rows]


def post_networks(*, post: Post) -> QuerySet:
    return post.shares.values("network").annotate(**_share_result_annotations()).order_by("-shares", "network")


def post_performance(*, post: Post) -> PostPerformance:
    """A post's results over all time: 3 queries (totals with caption variety, per network, clicks per day)."""
    totals = post.shares.aggregate(
        **_share_result_annotations(),
        sharers=Count("user_id", distinct=True),
        # Caption variety: how many different captions employees wrote (blank ones are not a caption).
        distinct_captions=Count("caption", distinct=True, filter=~Q(caption="")),
    )
    totals["engagement"] = known_total(totals["likes"], totals["reposts"], totals["replies"])
    networks = list(post_networks(post=post))
    for row in networks:
        row["label"] = label_for("network", row["network"])
    return PostPerformance(post=post, totals=totals, networks=networks, clicks_by_day=post_clicks_by_day(post=post))


# --- HR ----------------------------------------------------------------------------


def people_totals(*, filters: Filters) -> QuerySet[User]:
    """Per active employee: shares in the range and their human clicks. Totals only, never click logs.

    Each figure is a subquery over the person's rollups in the range, so a page of people
    (the ordering needs no figure) reads only its own people's rows.
    """
    mine = ShareRollup.objects.filter(user=OuterRef("pk"), day__gte=filters.start, day__lte=filters.end)
    mine = mine.order_by().values("user")
    people = active_employees()
    if filters.team is not None:
        people = people.filter(team=filters.team)
    return (
        people.annotate(
            share_count=Coalesce(Subquery(mine.annotate(n=Count("pk")).values("n")), 0),
            human_click_count=Coalesce(Subquery(mine.annotate(n=Sum("human_clicks")).values("n")), 0),
        )
        .values("pk", "username", "display_name", "share_count", "human_click_count", team_name=F("team__name"))
        .order_by(F("team__name").asc(nulls_last=True), "display_name", "username", "pk")
    )


# --- Start pages (advocacy.homes) -----------------------------------------------


def home_comms_month(*, user, now: datetime) -> dict:
    """This month so far: active employees who shared, and the top posts by shares then human clicks (two queries)."""
    today = timezone.localdate(now)
    filters = Filters(start=today.replace(day=1), end=today)
    participation = participation_by_team(filters=filters)
    members = sum(row.members for row in participation)
    sharers = sum(row.sharers for row in participation)
    return {
        "month_start": filters.start,
        "month_members": members,
        "month_sharers": sharers,
        "month_percent": round(100 * sharers / members) if members else 0,
        "top_posts": list(results_by_post(filters=filters)[:3]),
    }
