"""Flags for HR review, computed from the click rows the share tracker keeps.

Pure functions over plain tuples, so the rules are easy to test and the
selector decides how the rows are loaded (a fixed number of queries per page).
The share tracker stores no identity for visitors, only a daily keyed hash, so
"from the sharer's team" means "the same hash as a teammate who shared that day".
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

FEW_VISITORS_MIN_CLICKS = 10
FEW_VISITORS_RATIO = 3  # clicks per distinct visitor at or above which it looks staged
BURST_CLICKS = 5
BURST_SECONDS = 10
AFTER_SHARE_MINUTES = 15
SPIKE_MIN_CLICKS = 20
SPIKE_FACTOR = 5
SPIKE_HISTORY_DAYS = 14


@dataclass(frozen=True)
class ClickRow:
    share_id: int
    occurred_at: datetime
    visitor_hash: str
    share_created_at: datetime


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    share_id: int | None = None


def flags_for(
    *,
    clicks: list[ClickRow],
    teammate_hashes: set[str],
    since: datetime,
    day_of,
) -> list[Flag]:
    """Anomalies among one person's human clicks from ``since`` on (older clicks are spike history).

    ``day_of`` maps a datetime to its day in the board time zone.
    """
    flags: list[Flag] = []
    recent = [click for click in clicks if click.occurred_at >= since]
    by_share: dict[int, list[ClickRow]] = defaultdict(list)
    for click in recent:
        by_share[click.share_id].append(click)
    for share_id, rows in sorted(by_share.items()):
        visitors = len({row.visitor_hash for row in rows})
        if len(rows) >= FEW_VISITORS_MIN_CLICKS and len(rows) >= FEW_VISITORS_RATIO * visitors:
            flags.append(
                Flag(
                    "few_visitors",
                    f"{len(rows)} clicks from {visitors} visitor{'s' if visitors != 1 else ''}",
                    share_id,
                )
            )
        times = sorted(row.occurred_at for row in rows)
        window = timedelta(seconds=BURST_SECONDS)
        for index in range(len(times) - BURST_CLICKS + 1):
            if times[index + BURST_CLICKS - 1] - times[index] <= window:
                flags.append(Flag("burst", f"{BURST_CLICKS}+ clicks within {BURST_SECONDS} seconds", share_id))
                break
        soon = timedelta(minutes=AFTER_SHARE_MINUTES)
        team_clicks = [
            row
            for row in rows
            if row.visitor_hash in teammate_hashes and row.occurred_at - row.share_created_at <= soon
        ]
        if team_clicks:
            flags.append(
                Flag(
                    "team_right_after_share",
                    f"{len(team_clicks)} click{'s' if len(team_clicks) != 1 else ''} from teammates "
                    f"within {AFTER_SHARE_MINUTES} minutes of sharing",
                    share_id,
                )
            )
    per_day = Counter(day_of(click.occurred_at) for click in clicks)
    for day in sorted({day_of(click.occurred_at) for click in recent}):
        history = [per_day.get(day - timedelta(days=n), 0) for n in range(1, SPIKE_HISTORY_DAYS + 1)]
        usual = sum(history) / SPIKE_HISTORY_DAYS
        if per_day[day] >= SPIKE_MIN_CLICKS and per_day[day] >= SPIKE_FACTOR * max(usual, 1):
            flags.append(Flag("spike", f"{per_day[day]} clicks on {day:%d %b}, usually {usual:.1f} a day"))
    return flags
