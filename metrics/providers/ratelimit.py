"""How long to wait before asking a network again: moved to ``advocacy.ratelimit`` so the publishers
(in connections, below metrics) read the same headers the same way; kept here for the providers."""

from advocacy.ratelimit import (  # noqa: F401 - re-exported
    MAX_HEADER_DELAY,
    MIN_DELAY,
    SAFETY_MARGIN,
    backoff_delay,
    retry_delay,
    seconds_until_utc_midnight,
    window_exhausted,
)
