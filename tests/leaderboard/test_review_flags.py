from datetime import timedelta

import pytest
from django.utils import timezone

from leaderboard.models import ReviewFlags, ReviewFlagsBoard
from leaderboard.periods import live_window
from leaderboard.review_flags import click_flags_for_users, flag_window, review_flags_refresh, stored_click_flags
from leaderboard.selectors import anomalies_for_users, board_resolve
from sharing.models import Click
from tests.factories import UserFactory

from .conftest import make_clicks, make_share

pytestmark = pytest.mark.django_db


def _boards(now):
    return [(period, start) for period, starts in live_window(now).starts.items() for start in starts]


def _suspicious_company(alice, bob):
    now = timezone.now()
    mate = UserFactory(username="mate", team=alice.team)
    make_share(user=mate, at=now - timedelta(minutes=40), visitor_hash="mate-hash")
    share = make_share(user=alice, at=now - timedelta(minutes=30), visitor_hash="alice-hash")
    make_clicks(share=share, count=6, at=now - timedelta(minutes=28), spacing=timedelta(seconds=1))
    make_clicks(share=share, count=1, at=now - timedelta(minutes=25), visitors=["mate-hash"])
    rotated = make_share(user=bob, at=now - timedelta(days=3))
    make_clicks(share=rotated, count=9, at=now - timedelta(days=3, minutes=-60))
    Click.objects.filter(share=rotated).update(address_hash="one-address")
    quiet = make_share(user=bob, at=now - timedelta(days=20))
    for day in range(1, 15):
        make_clicks(share=quiet, count=1, at=now - timedelta(days=20 - day, hours=1))
    make_clicks(share=quiet, count=25, at=now - timedelta(days=2, hours=5), spacing=timedelta(minutes=20))
    return now


def test_it_stores_for_every_kept_board_the_flags_the_rules_give_from_the_clicks(alice, bob):
    now = _suspicious_company(alice, bob)
    review_flags_refresh(now=now)
    people = [alice.pk, bob.pk]
    for period, start in _boards(now):
        since, until = flag_window(period=period, start=start, now=now)
        expected = click_flags_for_users(user_ids=people, since=since, until=until) if since < until else {}
        stored = stored_click_flags(user_ids=people, period=period, start=start)
        assert {user_id: flags for user_id, flags in expected.items() if flags} == stored, (period, start)
    week = stored_click_flags(user_ids=people, period="week", start=_boards(now)[0][1])
    assert {flag.code for flag in week[alice.pk]} >= {"burst", "team_right_after_share"}
    all_time = stored_click_flags(user_ids=people, period="all", start=live_window(now).starts["all"][0])
    assert {flag.code for flag in all_time[bob.pk]} >= {"many_browsers_one_address", "spike"}


def test_the_review_reads_the_same_flags_and_reasons_as_computing_them_live(alice, bob):
    now = _suspicious_company(alice, bob)
    board = board_resolve(period="all", now=now)
    live = anomalies_for_users(user_ids=[alice.pk, bob.pk], board=board, now=now)  # the worker has not run
    review_flags_refresh(now=now)
    assert ReviewFlagsBoard.objects.exists()
    assert anomalies_for_users(user_ids=[alice.pk, bob.pk], board=board, now=now) == live
    assert live[alice.pk] and live[bob.pk]


def test_the_minute_refresh_picks_up_new_clicks_and_nothing_else(alice, bob):
    now = timezone.now()
    share = make_share(user=alice, at=now - timedelta(hours=2))
    make_share(user=bob, at=now - timedelta(hours=2))
    assert review_flags_refresh(now=now) == 0  # no clicks yet: nothing to compute
    make_clicks(share=share, count=5, at=now - timedelta(minutes=10), spacing=timedelta(seconds=1))
    later = now + timedelta(minutes=1)
    computed = review_flags_refresh(now=later)
    # alice once per distinct window (current week, month, quarter/all, previous ones before her clicks).
    assert computed >= 1
    assert not ReviewFlags.objects.filter(user=bob).exists()
    board = board_resolve(period="week", now=later)
    assert [flag.code for flag in anomalies_for_users(user_ids=[alice.pk], board=board, now=later)[alice.pk]] == [
        "burst"
    ]
    assert review_flags_refresh(now=later + timedelta(minutes=1)) == 0


def test_a_teammate_who_shares_later_turns_earlier_clicks_into_team_clicks(alice):
    now = timezone.now()
    share = make_share(user=alice, at=now - timedelta(minutes=30))
    make_clicks(share=share, count=1, at=now - timedelta(minutes=25), visitors=["mate-hash"])
    review_flags_refresh(now=now)
    board = board_resolve(period="week", now=now)
    assert anomalies_for_users(user_ids=[alice.pk], board=board, now=now)[alice.pk] == []
    make_share(user=UserFactory(username="mate", team=alice.team), at=now, visitor_hash="mate-hash")
    later = now + timedelta(minutes=1)
    review_flags_refresh(now=later)
    flags = anomalies_for_users(user_ids=[alice.pk], board=board, now=later)[alice.pk]
    assert [flag.message for flag in flags] == ["1 click from teammates within 15 minutes of sharing"]


def test_the_full_rebuild_clears_flags_whose_clicks_are_gone_and_boards_no_longer_kept(alice):
    now = timezone.now()
    share = make_share(user=alice, at=now - timedelta(hours=2))
    make_clicks(share=share, count=5, at=now - timedelta(minutes=10), spacing=timedelta(seconds=1))
    review_flags_refresh(now=now)
    assert ReviewFlags.objects.filter(user=alice).exists()
    Click.objects.all().delete()  # the purge
    review_flags_refresh(now=now + timedelta(minutes=1), full=True)
    assert not ReviewFlags.objects.exists()
    make_clicks(share=share, count=5, at=now - timedelta(minutes=10), spacing=timedelta(seconds=1))
    review_flags_refresh(now=now + timedelta(minutes=2), full=True)
    assert ReviewFlags.objects.filter(period="week").exists()
    review_flags_refresh(now=now + timedelta(days=70))  # two weeks and months on: those boards are dropped
    kept = _boards(now + timedelta(days=70))
    assert all((row.period, row.period_start) in kept for row in ReviewFlagsBoard.objects.all())
    assert all((row.period, row.period_start) in kept for row in ReviewFlags.objects.all())
