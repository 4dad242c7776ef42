from datetime import UTC, datetime, timedelta

from leaderboard.anomalies import ClickRow, FailedPost, failed_post_flags, flags_for

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


def test_few_visitors_clicking_many_times_is_left_to_the_database():
    # One human click per visitor, link and day is a constraint now; there is nothing left to flag.
    assert codes(clicks(12, start=SHARED + timedelta(hours=2), visitors=["a", "b", "c"])) == []


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


def test_many_browsers_from_one_address_on_one_link_are_flagged_with_the_reason():
    start = SHARED + timedelta(hours=3)
    rotated = [
        ClickRow(1, start + timedelta(minutes=n), f"browser{n}", SHARED, "one-address", "human" if n < 5 else "address")
        for n in range(9)
    ]
    flags = flags_for(clicks=rotated, teammate_hashes=set(), since=SINCE, day_of=lambda d: d.date())
    assert [flag.code for flag in flags] == ["many_browsers_one_address"]
    assert flags[0].message.startswith("9 different browsers from one address clicked this link on 20 Nov")
    assert flags[0].share_id == 1


def test_a_household_on_one_address_is_not_flagged():
    start = SHARED + timedelta(hours=3)
    family = [ClickRow(1, start + timedelta(minutes=n), f"browser{n}", SHARED, "home") for n in range(3)]
    assert codes(family) == []


def test_clicks_bunched_in_the_minutes_after_sharing_are_flagged_with_the_reason():
    rows = clicks(10, start=SHARED + timedelta(minutes=1), spacing=timedelta(minutes=1))
    rows += clicks(2, start=SHARED + timedelta(hours=4), share_id=1)
    flags = flags_for(clicks=rows, teammate_hashes=set(), since=SINCE, day_of=lambda d: d.date())
    assert [flag.code for flag in flags] == ["right_after_share"]
    assert flags[0].message.startswith("10 of 12 clicks came within 15 minutes of sharing")


def test_clicks_spread_over_the_day_are_not_bunched():
    rows = clicks(3, start=SHARED + timedelta(minutes=2)) + clicks(9, start=SHARED + timedelta(hours=2))
    assert "right_after_share" not in codes(rows)


def test_posts_that_failed_verification_are_flagged_but_unverifiable_ones_are_not():
    flags = failed_post_flags(
        [
            FailedPost(3, "x", "not_yours", "posted by @someone"),
            FailedPost(1, "bluesky", "link_missing", ""),
            FailedPost(2, "linkedin", "unverifiable", "LinkedIn needs a connected account"),
            FailedPost(4, "mastodon", "claimed", ""),
        ]
    )
    assert [(flag.code, flag.share_id) for flag in flags] == [
        ("failed_verification", 1),
        ("failed_verification", 3),
        ("failed_verification", 4),
    ]
    assert "does not carry the share's tracked link" in flags[0].message
    assert "was written by someone else (posted by @someone)" in flags[1].message
