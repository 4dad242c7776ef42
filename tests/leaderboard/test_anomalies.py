from datetime import UTC, datetime, timedelta

from leaderboard.anomalies import ClickRow, flags_for

SHARED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SINCE = datetime(2026, 11, 16, tzinfo=UTC)


def clicks(count, *, start, spacing=timedelta(minutes=30), visitors=None, share_id=1):
    return [
        ClickRow(
            share_id,
            start + spacing * n,
            (visitors or [f"v{n}" for n in range(count)])[n % len(visitors or range(count))],
            SHARED,
        )
        for n in range(count)
    ]


def codes(rows, mates=frozenset()):
    return [
        flag.code for flag in flags_for(clicks=rows, teammate_hashes=set(mates), since=SINCE, day_of=lambda d: d.date())
    ]


def test_ordinary_clicks_raise_no_flag():
    assert codes(clicks(8, start=SHARED + timedelta(hours=2))) == []


def test_many_clicks_from_few_visitors_are_flagged():
    assert codes(clicks(12, start=SHARED + timedelta(hours=2), visitors=["a", "b", "c"])) == ["few_visitors"]


def test_a_burst_within_seconds_is_flagged():
    assert "burst" in codes(clicks(5, start=SHARED + timedelta(hours=2), spacing=timedelta(seconds=2)))


def test_teammates_clicking_right_after_sharing_are_flagged_but_not_later():
    soon = clicks(1, start=SHARED + timedelta(minutes=5), visitors=["mate"])
    later = clicks(1, start=SHARED + timedelta(hours=5), visitors=["mate"])
    assert codes(soon, {"mate"}) == ["team_right_after_share"]
    assert codes(later, {"mate"}) == []


def test_a_sudden_spike_against_the_persons_usual_days_is_flagged():
    usual = clicks(10, start=SINCE - timedelta(days=10), spacing=timedelta(days=1))
    spike = clicks(30, start=datetime(2026, 11, 21, 8, 0, tzinfo=UTC), spacing=timedelta(minutes=10))
    flags = flags_for(clicks=usual + spike, teammate_hashes=set(), since=SINCE, day_of=lambda d: d.date())
    assert [flag.code for flag in flags] == ["spike"]
    assert flags[0].message.startswith("30 clicks on 21 Nov")
