"""Writes for the programme. Views, commands and the demo all go through these."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from .models import Goal


def _check_goal(*, measure: str, target: Decimal, start: date, end: date) -> None:
    errors = {}
    if end < start:
        errors["end"] = gettext("The end date must be on or after the start date.")
    if target is None or target <= 0:
        errors["target"] = "Enter a target above 0."
    elif measure == Goal.Measure.ADOPTION_RATE and target > 100:
        errors["target"] = "An adoption rate is a percentage: enter at most 100."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def goal_create(
    *,
    name: str,
    measure: str,
    target: Decimal,
    start: date,
    end: date,
    created_by,
    campaign=None,
    team=None,
    content_type: str = "",
) -> Goal:
    """A programme goal for one measure over a period, optionally narrowed to a campaign, team or content type."""
    _check_goal(measure=measure, target=target, start=start, end=end)
    return Goal.objects.create(
        name=name,
        measure=measure,
        target=target,
        start=start,
        end=end,
        campaign=campaign,
        team=team,
        content_type=content_type,
        created_by=created_by,
    )


@transaction.atomic
def goal_update(*, goal: Goal, **fields) -> Goal:
    for name, value in fields.items():
        setattr(goal, name, value)
    _check_goal(measure=goal.measure, target=goal.target, start=goal.start, end=goal.end)
    goal.save()
    return goal


@transaction.atomic
def goal_delete(*, goal: Goal) -> None:
    goal.delete()


MAX_LINKEDIN_CONNECTIONS = 30_000  # LinkedIn's own limit on connections


@transaction.atomic
def stated_audience_set(*, user, linkedin_connections: int | None, now=None):
    """Record (or, with None, withdraw) the LinkedIn connections a person states they have."""
    from django.utils import timezone

    from .models import StatedAudience

    if linkedin_connections is None:
        StatedAudience.objects.filter(user=user).delete()
        return None
    if not 0 <= linkedin_connections <= MAX_LINKEDIN_CONNECTIONS:
        raise ValidationError(
            {
                "linkedin_connections": gettext("Enter a number from 0 to %(limit)s (LinkedIn's limit).")
                % {"limit": f"{MAX_LINKEDIN_CONNECTIONS:,}"}
            }
        )
    stated, _ = StatedAudience.objects.update_or_create(
        user=user, defaults={"linkedin_connections": linkedin_connections, "stated_at": now or timezone.now()}
    )
    return stated
