"""Flags for HR review, computed from the click rows the share tracker keeps.

Pure functions over plain tuples, so the rules are easy to test and the
selector decides how the rows are loaded (a fixed number of queries per page).
The share tracker stores no identity for visitors, only a daily keyed hash, so
"from the sharer's team" means "the same hash as a teammate who shared that day".
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

BURST_CLICKS = 5
BURST_SECONDS = 10
AFTER_SHARE_MINUTES = 15
SPIKE_MIN_CLICKS = 20
SPIKE_FACTOR = 5
SPIKE_HISTORY_DAYS = 14
# One address hash (the day's) on one link: this many different browsers looks like a script
# rotating its user agent; a household or an office rarely opens one link in so many.
MANY_BROWSERS = 8
# Clicks bunched into the first minutes after sharing: at least this many, and this share of
# them, within AFTER_SHARE_MINUTES (real readers keep arriving for hours).
RIGHT_AFTER_MIN_CLICKS = 10
RIGHT_AFTER_RATIO = 0.8

# The kinds the share tracker records; only human clicks count, the others explain why not.
HUMAN = "human"


@dataclass(frozen=True)
class ClickRow:
    share_id: int
    occurred_at: datetime
    visitor_hash: str
    share_created_at: datetime
    # The day's keyed hash of the address alone, and what the tracker made of the click.
    address_hash: str = ""
    kind: str = HUMAN


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    share_id: int | None = None


@dataclass(frozen=True)
class FailedPost:
    """A pasted post whose verification failed: someone else's, without the link, or claimed twice."""

    share_id: int
    network: str
    state: str
    detail: str


# The verification outcomes that suggest an attempt to earn points with a post that is not the
# person's honest share; "unverifiable" (a network we cannot check) is no one's fault and no flag.
SUSPICIOUS_POST_STATES = {
    "not_yours": "was written by someone else",
    "link_missing": "does not carry the share's tracked link",
    "claimed": "is already claimed by another share",
}


def failed_post_flags(posts: list[FailedPost]) -> list[Flag]:
    """One flag per pasted post that failed verification in a way worth a look, with why in words."""
    return [
        Flag(
            "failed_verification",
            f"The {post.network} post pasted for this share {SUSPICIOUS_POST_STATES[post.state]}"
            + (f" ({post.detail})" if post.detail else "")
            + "; its engagement earns no points and any it earned was voided",
            post.share_id,
        )
        for post in sorted(posts, key=lambda post: post.share_id)
        if post.state in SUSPICIOUS_POST_STATES
    ]


def flags_for(
    *,
    clicks: list[ClickRow],
    teammate_hashes: set[str],
    since: datetime,
    day_of,
) -> list[Flag]:
    """Anomalies among one person's clicks from ``since`` on (older clicks are spike history).

    Only human clicks feed the flags, except the one about many browsers behind one address,
    which also reads the clicks the tracker refused for that reason. ``day_of`` maps a
    datetime to its day in the board time zone.
    """
    flags: list[Flag] = []
    flags += _many_browsers_one_address([click for click in clicks if click.occurred_at >= since], day_of)
    clicks = [click for click in clicks if click.kind == HUMAN]
    recent = [click for click in clicks if click.occurred_at >= since]
    by_share: dict[int, list[ClickRow]] = defaultdict(list)
    for click in recent:
        by_share[click.share_id].append(click)
    for share_id, rows in sorted(by_share.items()):
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
        early = sum(1 for row in rows if row.occurred_at - row.share_created_at <= soon)
        if len(rows) >= RIGHT_AFTER_MIN_CLICKS and early >= RIGHT_AFTER_RATIO * len(rows):
            flags.append(
                Flag(
                    "right_after_share",
                    f"{early} of {len(rows)} clicks came within {AFTER_SHARE_MINUTES} minutes of sharing; "
                    "people who find a post on their feed keep arriving for hours",
                    share_id,
                )
            )
        if team_clicks:
            flags.append(
                Flag(
                    "team_right_after_share",
                    f"{len(team_clicks)} click{'s' if len(team_clicks) != 1 else ''} from teammates "
                    f"within {AFTER_SHARE_MINUTES} minutes of sharing",
                    share_id,
                )
            )
    days = [day_of(click.occurred_at) for click in clicks]  # once per click: it is the costly part
    per_day = Counter(days)
    for day in sorted({day for day, click in zip(days, clicks, strict=True) if click.occurred_at >= since}):
        history = [per_day.get(day - timedelta(days=n), 0) for n in range(1, SPIKE_HISTORY_DAYS + 1)]
        usual = sum(history) / SPIKE_HISTORY_DAYS
        if per_day[day] >= SPIKE_MIN_CLICKS and per_day[day] >= SPIKE_FACTOR * max(usual, 1):
            flags.append(Flag("spike", f"{per_day[day]} clicks on {day:%d %b}, usually {usual:.1f} a day"))
    return flags


def _many_browsers_one_address(clicks: list[ClickRow], day_of) -> list[Flag]:
    browsers: dict[tuple[int, str], set[str]] = defaultdict(set)
    days: dict[tuple[int, str], object] = {}
    for click in clicks:
        if click.address_hash:
            browsers[(click.share_id, click.address_hash)].add(click.visitor_hash)
            days[(click.share_id, click.address_hash)] = day_of(click.occurred_at)
    flags = []
    for (share_id, address), seen in sorted(browsers.items(), key=lambda item: (item[0][0], -len(item[1]))):
        if len(seen) >= MANY_BROWSERS and not any(flag.share_id == share_id for flag in flags):
            day = days[(share_id, address)]
            flags.append(
                Flag(
                    "many_browsers_one_address",
                    f"{len(seen)} different browsers from one address clicked this link on {day:%d %b}, "
                    "as a script changing its user agent would",
                    share_id,
                )
            )
    return flags
