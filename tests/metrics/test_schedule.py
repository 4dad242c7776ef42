from datetime import UTC, datetime, timedelta

import pytest

from metrics.schedule import interval_at, next_slot

PUBLISHED = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("age", "interval"),
    [
        (timedelta(0), timedelta(hours=1)),
        (timedelta(hours=23, minutes=59), timedelta(hours=1)),
        (timedelta(hours=24), timedelta(hours=6)),
        (timedelta(days=6, hours=23), timedelta(hours=6)),
        (timedelta(days=7), timedelta(days=1)),
        (timedelta(days=29, hours=23), timedelta(days=1)),
        (timedelta(days=30), None),
    ],
)
def test_pulls_are_hourly_then_six_hourly_then_daily_then_stop(age, interval):
    assert interval_at(published_at=PUBLISHED, when=PUBLISHED + age) == interval


def test_a_whole_month_takes_71_pulls():
    slot, slots = PUBLISHED, [PUBLISHED]
    while (slot := next_slot(published_at=PUBLISHED, after=slot, now=slot)) is not None:
        slots.append(slot)
    assert len(slots) == 24 + 24 + 23
    assert slots[-1] - PUBLISHED < timedelta(days=30)


def test_missed_slots_are_not_replayed_after_an_outage():
    after = PUBLISHED + timedelta(hours=2)
    now = PUBLISHED + timedelta(hours=9, minutes=30)
    assert next_slot(published_at=PUBLISHED, after=after, now=now) == now


def test_the_schedule_is_configurable(settings):
    settings.METRICS_PULL_SCHEDULE = ((2, 1),)
    assert next_slot(published_at=PUBLISHED, after=PUBLISHED, now=PUBLISHED) == PUBLISHED + timedelta(hours=1)
    assert next_slot(published_at=PUBLISHED, after=PUBLISHED + timedelta(hours=1), now=PUBLISHED) is None
