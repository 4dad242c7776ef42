"""How long to wait before asking a network again.

Networks say it in different ways:

- ``Retry-After``: seconds or an HTTP date (RFC 9110), used by LinkedIn and many proxies;
- ``x-rate-limit-reset``: epoch seconds when X's 15-minute window reopens;
- ``X-RateLimit-Reset``: an ISO 8601 time on Mastodon;
- ``RateLimit-Reset``: epoch seconds on Bluesky (the IETF draft also allows delta seconds);
- LinkedIn's daily quotas reset at midnight UTC and a 429 often carries no header at all.

Whatever the source, the answer is at least ``MIN_DELAY`` seconds: a missing,
unparseable, zero or past value falls back to capped, jittered exponential
backoff, so a worker can never spin on a zero-delay loop.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from django.conf import settings

MIN_DELAY = 1.0
# A reset further away than a day and a bit is nonsense (or a unit mix-up); cap it.
MAX_HEADER_DELAY = 26 * 3600.0
# Clock skew between us and the network: wait this much past the announced reset.
SAFETY_MARGIN = 1.0
# Values above this are epoch seconds, below it delta seconds (2001-09-09 in epoch terms).
_EPOCH_THRESHOLD = 1_000_000_000


def retry_delay(
    headers,
    *,
    attempt: int = 0,
    now: datetime | None = None,
    rng: random.Random | None = None,
    daily_reset: bool = False,
) -> float:
    """Seconds to wait after a rate-limited answer; ``headers`` is any case-insensitive mapping."""
    now = now or datetime.now(UTC)
    for parse in (_retry_after, _x_reset, _mastodon_reset, _ietf_reset):
        delay = parse(headers, now)
        if delay is not None and delay > 0:
            return min(max(delay + SAFETY_MARGIN, MIN_DELAY), MAX_HEADER_DELAY)
    if daily_reset:
        return seconds_until_utc_midnight(now) + 60.0
    return backoff_delay(attempt=attempt, rng=rng)


def backoff_delay(*, attempt: int, rng: random.Random | None = None) -> float:
    """Exponential backoff with "equal jitter": half the step is fixed, half random, never above the cap."""
    base = float(settings.METRICS_BACKOFF_BASE_SECONDS)
    cap = float(settings.METRICS_BACKOFF_MAX_SECONDS)
    step = min(cap, base * (2 ** min(max(attempt, 0), 32)))
    jitter = (rng or random).uniform(0, step / 2)
    return max(MIN_DELAY, step / 2 + jitter)


def seconds_until_utc_midnight(now: datetime) -> float:
    now = now.astimezone(UTC)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(MIN_DELAY, (midnight - now).total_seconds())


def window_exhausted(headers) -> bool:
    """True when a successful answer says no requests are left in the current window."""
    for name in ("x-rate-limit-remaining", "X-RateLimit-Remaining", "RateLimit-Remaining"):
        value = _header(headers, name)
        if value is not None:
            return value.strip() == "0"
    return False


def _header(headers, name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _retry_after(headers, now: datetime) -> float | None:
    value = _header(headers, "Retry-After")
    if value is None:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - now).total_seconds()


def _epoch_or_delta(value: str, now: datetime) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    if number >= _EPOCH_THRESHOLD:
        return number - now.timestamp()
    return number


def _x_reset(headers, now: datetime) -> float | None:
    value = _header(headers, "x-rate-limit-reset")
    return None if value is None else _epoch_or_delta(value, now)


def _mastodon_reset(headers, now: datetime) -> float | None:
    value = _header(headers, "X-RateLimit-Reset")
    if value is None:
        return None
    numeric = _epoch_or_delta(value, now)
    if numeric is not None:
        return numeric
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - now).total_seconds()


def _ietf_reset(headers, now: datetime) -> float | None:
    value = _header(headers, "RateLimit-Reset")
    return None if value is None else _epoch_or_delta(value, now)
