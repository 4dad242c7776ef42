import random
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.utils import format_datetime

import pytest

from metrics.providers.ratelimit import MAX_HEADER_DELAY, MIN_DELAY, backoff_delay, retry_delay, window_exhausted

NOW = datetime(2026, 11, 23, 18, 30, 0, tzinfo=UTC)


def headers(**values):
    message = Message()
    for name, value in values.items():
        message[name.replace("_", "-")] = str(value)
    return message


@pytest.fixture(autouse=True)
def _backoff(settings):
    settings.METRICS_BACKOFF_BASE_SECONDS = 30
    settings.METRICS_BACKOFF_MAX_SECONDS = 3600


def test_it_reads_retry_after_in_seconds():
    assert retry_delay(headers(Retry_After=120), now=NOW) == 121


def test_it_reads_retry_after_as_an_http_date():
    when = format_datetime(NOW + timedelta(minutes=5), usegmt=True)
    assert retry_delay(headers(Retry_After=when), now=NOW) == 301


def test_it_reads_x_reset_as_epoch_seconds():
    reset = int((NOW + timedelta(minutes=15)).timestamp())
    assert retry_delay(headers(x_rate_limit_reset=reset), now=NOW) == 901


def test_it_reads_mastodon_reset_as_an_iso_time():
    reset = (NOW + timedelta(minutes=2)).isoformat().replace("+00:00", ".019685Z")
    assert retry_delay(headers(X_RateLimit_Reset=reset), now=NOW) == pytest.approx(121.019685)


def test_it_reads_bluesky_reset_as_epoch_seconds():
    reset = int((NOW + timedelta(seconds=40)).timestamp())
    assert retry_delay(headers(RateLimit_Reset=reset), now=NOW) == 41


def test_retry_after_wins_over_a_reset_time():
    reset = int((NOW + timedelta(minutes=15)).timestamp())
    assert retry_delay(headers(Retry_After=10, x_rate_limit_reset=reset), now=NOW) == 11


@pytest.mark.parametrize(
    "value",
    ["0", "-5", "soon", "Wed, 21 Oct 2015 07:28:00 GMT", "", "NaN", "1e400"],
)
def test_a_useless_retry_after_falls_back_to_backoff_never_zero(value):
    delay = retry_delay(headers(Retry_After=value), now=NOW, attempt=0, rng=random.Random(3))
    assert 15 <= delay <= 30


def test_a_reset_in_the_past_falls_back_to_backoff():
    reset = int((NOW - timedelta(minutes=1)).timestamp())
    delay = retry_delay(headers(x_rate_limit_reset=reset), now=NOW, attempt=2, rng=random.Random(3))
    assert 60 <= delay <= 120


def test_absurd_resets_are_capped():
    reset = int((NOW + timedelta(days=30)).timestamp())
    assert retry_delay(headers(x_rate_limit_reset=reset), now=NOW) == MAX_HEADER_DELAY


def test_daily_limits_wait_until_just_after_midnight_utc():
    assert retry_delay(headers(), now=NOW, daily_reset=True) == 5.5 * 3600 + 60


def test_daily_limits_still_honour_retry_after():
    assert retry_delay(headers(Retry_After=30), now=NOW, daily_reset=True) == 31


def test_backoff_grows_then_stays_under_the_cap():
    rng = random.Random(7)
    delays = [backoff_delay(attempt=attempt, rng=rng) for attempt in range(12)]
    assert 15 <= delays[0] <= 30
    assert 240 <= delays[4] <= 480
    assert all(1800 <= delay <= 3600 for delay in delays[7:])


def test_backoff_is_jittered():
    rng = random.Random(11)
    assert len({backoff_delay(attempt=3, rng=rng) for _ in range(20)}) > 1


def test_backoff_never_drops_below_the_minimum(settings):
    settings.METRICS_BACKOFF_BASE_SECONDS = 1
    rng = random.Random(5)
    assert min(backoff_delay(attempt=-4, rng=rng) for _ in range(50)) >= MIN_DELAY


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"x_rate_limit_remaining": "0"}, True),
        ({"X_RateLimit_Remaining": "0"}, True),
        ({"RateLimit_Remaining": "12"}, False),
        ({}, False),
    ],
)
def test_it_tells_when_a_window_is_exhausted(values, expected):
    assert window_exhausted(headers(**values)) is expected
