"""Leaderboard periods: ISO weeks (starting Monday), months and quarters in LEADERBOARD_TIME_ZONE."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from .models import ALL_TIME_START, Standing

Period = Standing.Period


def board_zone() -> ZoneInfo:
    return ZoneInfo(settings.LEADERBOARD_TIME_ZONE)


def local_date(moment: datetime) -> date:
    return timezone.localtime(moment, board_zone()).date()


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def period_starts(moment: datetime) -> dict[str, date]:
    """The start of each period containing ``moment``, keyed by period."""
    day = local_date(moment)
    return {
        Period.WEEK: week_start(day),
        Period.MONTH: month_start(day),
        Period.QUARTER: quarter_start(day),
        Period.ALL: ALL_TIME_START,
    }


def period_end(period: str, start: date) -> date:
    """The first day after the period (exclusive end); all time ends far in the future."""
    if period == Period.WEEK:
        return start + timedelta(days=7)
    if period == Period.MONTH:
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    if period == Period.QUARTER:
        month = start.month + 3
        return date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    return date(9999, 1, 1)


def previous_start(period: str, start: date) -> date:
    if period == Period.WEEK:
        return start - timedelta(days=7)
    if period == Period.MONTH:
        return month_start(start - timedelta(days=1))
    if period == Period.QUARTER:
        return quarter_start(start - timedelta(days=1))
    return start


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The aware instants where ``day`` begins and the next day begins, in the board time zone."""
    zone = board_zone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def iso_week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Window:
    """The boards kept in the standings: the current and the previous period of each kind."""

    starts: dict[str, tuple[date, ...]]

    def contains(self, period: str, start: date) -> bool:
        return start in self.starts[period]


def live_window(now: datetime | None = None) -> Window:
    current = period_starts(now or timezone.now())
    return Window(
        starts={
            period: (start,) if period == Period.ALL else (start, previous_start(period, start))
            for period, start in current.items()
        }
    )
