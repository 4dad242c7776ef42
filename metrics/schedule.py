"""When to pull a post's metrics next: often while it is fresh, then less, then never.

``METRICS_PULL_SCHEDULE`` lists (age in hours, interval in hours) steps; the
default pulls hourly during the first day, every 6 hours during the first week
and daily until 30 days, then stops.
"""

from datetime import datetime, timedelta

from django.conf import settings


def tracking_window() -> timedelta:
    """How long after it went out a post is asked about at all: the schedule's last step."""
    return timedelta(hours=max(age for age, _ in settings.METRICS_PULL_SCHEDULE))


def next_slot(*, published_at: datetime, after: datetime, now: datetime) -> datetime | None:
    """The slot of the pull following the one at ``after``, or None when tracking is over.

    A worker that was down for a while does not replay missed slots: the next one
    is never earlier than ``now``.
    """
    interval = interval_at(published_at=published_at, when=after)
    if interval is None:
        return None
    candidate = max(after + interval, now)
    if interval_at(published_at=published_at, when=candidate) is None:
        return None
    return candidate


def interval_at(*, published_at: datetime, when: datetime) -> timedelta | None:
    age = when - published_at
    for age_hours, every_hours in settings.METRICS_PULL_SCHEDULE:
        if age < timedelta(hours=age_hours):
            return timedelta(hours=every_hours)
    return None
