from datetime import timedelta

import pytest
from django.utils import timezone

from leaderboard.models import PointEvent
from leaderboard.periods import local_date
from leaderboard.selectors import (
    badges_for,
    board_resolve,
    board_view,
    click_days_awaiting_points,
    is_voided,
    points_by_user_between,
    points_events_for,
)
from leaderboard.services import points_adjust, points_award_for_clicks, points_award_for_share, points_event_void

from .conftest import make_clicks, make_share

pytestmark = pytest.mark.django_db


def test_a_team_board_has_no_team_view(alice, engineering):
    team = board_resolve(scope=f"team:{engineering.pk}")
    shown = board_view(board=team, viewer=alice, view="teams")
    assert shown["view"] == "people"
    assert shown["page"].board == team


def test_an_everyone_board_shows_teams_when_asked(alice):
    board = board_resolve()
    assert board_view(board=board, viewer=alice, view="teams") == {"view": "teams", "teams": []}
    assert board_view(board=board, viewer=alice, view="nonsense")["view"] == "people"


def test_a_voided_event_counts_nowhere(alice, harper):
    share = make_share(user=alice)
    award = points_award_for_share(share_id=share.pk)
    kept = points_adjust(user=alice, points=3, actor=harper, reason="Helped at the fair")
    points_event_void(event=award, actor=harper, reason="Shared by mistake")
    flags = dict(PointEvent.objects.annotate(voided=is_voided()).values_list("pk", "voided"))
    assert flags[award.pk] is True and flags[kept.pk] is False
    assert {event.pk: event.is_voided for event in points_events_for(user=alice)}[award.pk] is True
    window = (timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1))
    assert points_by_user_between(start=window[0], end=window[1]) == {alice.pk: 3}
    assert not {badge.code: badge.earned for badge in badges_for(user=alice)}["first_share"]


def test_click_days_without_a_start_day_reach_back_to_the_first_click(alice):
    share = make_share(user=alice)
    long_ago = timezone.now() - timedelta(days=90)
    make_clicks(share=share, count=2, at=long_ago, spacing=timedelta(seconds=1))
    day = local_date(long_ago + timedelta(seconds=1))
    assert click_days_awaiting_points(since_day=local_date(timezone.now()), cap=20) == []
    assert click_days_awaiting_points(since_day=None, cap=20) == [(share.pk, day)]
    points_award_for_clicks(share_id=share.pk, day=day)
    assert click_days_awaiting_points(since_day=None, cap=20) == []
