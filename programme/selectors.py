"""Reads for the programme: goals and their progress, computed from what the other apps already keep.

Every figure comes from the dashboards' rollups through ``analytics.selectors`` and from
``advocacy.people.selectors.active_employees``, so a goal's progress agrees with the comms
dashboard for the same period and filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy

from advocacy.people.selectors import active_employees
from analytics.selectors import Filters, known_total, rollups_in_range
from content_library.models import Post

from .models import Goal

# The comms dashboard and the digest show at most this many current goals (one aggregate for all of them).
CURRENT_GOALS_LIMIT = 12
ONE_DECIMAL = Decimal("0.1")


class Pace:
    UPCOMING = "upcoming"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    MET = "met"
    MISSED = "missed"

    LABELS = {
        UPCOMING: gettext_lazy("Not started"),
        ON_TRACK: gettext_lazy("On track"),
        BEHIND: gettext_lazy("Behind"),
        MET: gettext_lazy("Met"),
        MISSED: gettext_lazy("Missed"),
    }


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    # None: no share in scope has the figure yet (its networks do not report it), never a 0.
    actual: Decimal | None
    today: date

    @property
    def total_days(self) -> int:
        return (self.goal.end - self.goal.start).days + 1

    @property
    def elapsed_days(self) -> int:
        """Days of the period gone by, today included (0 before it starts, all of them after it ends)."""
        return max(0, min(self.total_days, (self.today - self.goal.start).days + 1))

    @property
    def expected(self) -> Decimal:
        """Where a steady pace would be by now: target × days gone ÷ days in the period."""
        value = self.goal.target * self.elapsed_days / self.total_days
        return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)

    @property
    def percent_of_target(self) -> int:
        if self.actual is None:
            return 0
        return int((100 * self.actual / self.goal.target).to_integral_value(rounding=ROUND_HALF_UP))

    @property
    def bar_value(self) -> int:
        return min(100, self.percent_of_target)

    @property
    def pace(self) -> str:
        actual = self.actual or Decimal(0)
        if actual >= self.goal.target:
            return Pace.MET
        if self.today < self.goal.start:
            return Pace.UPCOMING
        if self.today > self.goal.end:
            return Pace.MISSED
        return Pace.ON_TRACK if actual >= self.expected else Pace.BEHIND

    @property
    def pace_label(self) -> str:
        return Pace.LABELS[self.pace]

    @property
    def is_good(self) -> bool:
        return self.pace in (Pace.ON_TRACK, Pace.MET)

    @property
    def actual_display(self) -> str:
        return format_figure(self.actual, goal=self.goal)

    @property
    def expected_display(self) -> str:
        return format_figure(self.expected, goal=self.goal)

    @property
    def target_display(self) -> str:
        return format_figure(self.goal.target, goal=self.goal)

    @property
    def scope_label(self) -> str:
        """The goal's filters in words: "Spring launch · Sales · Culture" ("" when none)."""
        parts = [
            self.goal.campaign.name if self.goal.campaign_id else "",
            self.goal.team.name if self.goal.team_id else "",
        ]
        if self.goal.content_type:
            parts.append(dict(Post.ContentType.choices).get(self.goal.content_type, self.goal.content_type))
        return " · ".join(part for part in parts if part)


def goal_list() -> QuerySet[Goal]:
    return Goal.objects.select_related("campaign", "team").order_by("-end", "name", "pk")


def goals_current(*, today: date | None = None) -> list[Goal]:
    """The goals whose period includes today, soonest ending first (at most CURRENT_GOALS_LIMIT)."""
    today = today or timezone.localdate()
    goals = goal_list().filter(start__lte=today, end__gte=today).order_by("end", "name", "pk")
    return list(goals[:CURRENT_GOALS_LIMIT])


def _scope(goal: Goal) -> Q:
    q = Q(day__gte=goal.start, day__lte=goal.end)
    if goal.team_id:
        q &= Q(user__team_id=goal.team_id)
    if goal.campaign_id:
        q &= Q(post__campaign_id=goal.campaign_id)
    if goal.content_type:
        q &= Q(post__content_type=goal.content_type)
    return q


def _rate(numerator: int, members: int, *, percent: bool) -> Decimal:
    if not members:
        return Decimal(0)
    value = Decimal(numerator) * (100 if percent else 1) / members
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def goals_progress(*, goals: list[Goal], today: date | None = None) -> list[GoalProgress]:
    """Each goal's figure so far, in at most 2 queries whatever the number of goals.

    One aggregate over the rollups with a filtered column per goal, and, when a goal is a
    rate, one over the active employees (its denominator: the people in its team, or all).
    Adoption and share rate count only active employees' shares, as the dashboard does.
    """
    today = today or timezone.localdate()
    if not goals:
        return []
    M = Goal.Measure
    employees = active_employees()
    columns: dict[str, object] = {}
    for goal in goals:
        scope, key = _scope(goal), f"g{goal.pk}"
        if goal.measure == M.SHARES:
            columns[key] = Count("pk", filter=scope)
        elif goal.measure == M.HUMAN_CLICKS:
            columns[key] = Sum("human_clicks", filter=scope)
        elif goal.measure == M.IMPRESSIONS:
            columns[key] = Sum("reported_impressions", filter=scope)
        elif goal.measure == M.ENGAGEMENT:
            for metric in ("likes", "reposts", "replies"):
                columns[f"{key}_{metric}"] = Sum(f"reported_{metric}", filter=scope)
        elif goal.measure in (M.ADOPTION_RATE, M.SHARE_RATE):
            scope &= Q(user_id__in=employees.values("pk"))
            if goal.measure == M.ADOPTION_RATE:
                columns[key] = Count("user_id", filter=scope, distinct=True)
            else:
                columns[key] = Count("pk", filter=scope)
    span = Filters(start=min(goal.start for goal in goals), end=max(goal.end for goal in goals))
    figures = rollups_in_range(filters=span).aggregate(**columns)
    rate_goals = [goal for goal in goals if goal.measure in (M.ADOPTION_RATE, M.SHARE_RATE)]
    members = {}
    if rate_goals:
        members = employees.aggregate(
            **{
                f"m{goal.pk}": Count("pk", filter=Q(team_id=goal.team_id) if goal.team_id else Q())
                for goal in rate_goals
            }
        )
    progress = []
    for goal in goals:
        key = f"g{goal.pk}"
        if goal.measure == M.ENGAGEMENT:
            value = known_total(*(figures[f"{key}_{metric}"] for metric in ("likes", "reposts", "replies")))
        elif goal.measure in (M.ADOPTION_RATE, M.SHARE_RATE):
            value = _rate(figures[key], members[f"m{goal.pk}"], percent=goal.measure == M.ADOPTION_RATE)
        elif goal.measure == M.HUMAN_CLICKS:
            value = figures[key] or 0
        else:
            value = figures[key]
        actual = None if value is None else Decimal(value)
        progress.append(GoalProgress(goal=goal, actual=actual, today=today))
    return progress


def goals_current_progress(*, today: date | None = None) -> list[GoalProgress]:
    """The current goals with their progress: 1 query with no goal, at most 3 with some."""
    today = today or timezone.localdate()
    return goals_progress(goals=goals_current(today=today), today=today)


def programme_digest_line(*, today: date | None = None) -> str:
    """How the programme is doing, in one line for employees' weekly digest ("" without current goals)."""
    progress = goals_current_progress(today=today)
    if not progress:
        return ""
    good = sum(1 for row in progress if row.is_good)
    lead = min(progress, key=lambda row: row.goal.end)
    return (
        f"How the programme is doing: {good} of {len(progress)} current goal{'s' if len(progress) != 1 else ''} "
        f"on track. {lead.goal.name}: {format_figure(lead.actual, goal=lead.goal)} of "
        f"{format_figure(lead.goal.target, goal=lead.goal)} ({lead.pace_label.lower()})."
    )


def format_figure(value: Decimal | None, *, goal: Goal) -> str:
    if value is None:
        return "–"
    text = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.1f}"
    return f"{text}%" if goal.is_percent else text


def home_goals(*, user, now) -> dict:
    """The comms start page's goals panel: the current goals with their pace (1 query with none, at most 3)."""
    return {"goals": goals_current_progress(today=timezone.localdate(now))}
