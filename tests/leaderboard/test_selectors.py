from datetime import timedelta

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from analytics.rollups import rollups_refresh
from leaderboard import services
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
from sharing.models import Share

from .conftest import make_clicks, make_share

pytestmark = pytest.mark.django_db


def test_a_team_board_has_no_team_view(alice, engineering):
    team = board_resolve(scope=f"team:{engineering.pk}")
    shown = board_view(board=team, viewer=alice, view="teams")
    assert shown["view"] == "people"
    assert shown["page"].board == team


def test_an_everyone_board_shows_teams_when_asked(alice):
    board = board_resolve()
    # best_average scales the per-member bars (0 with no team on the board)
    assert board_view(board=board, viewer=alice, view="teams") == {"view": "teams", "teams": [], "best_average": 0}
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


def clicked_share(user, per_day):
    """A share whose link got ``per_day[i]`` human clicks i days after sharing, tallied and awarded."""
    start = timezone.now() - timedelta(days=len(per_day) + 1)
    share = make_share(user=user, at=start)
    for offset, count in enumerate(per_day):
        day_start = start + timedelta(days=offset, minutes=5)
        make_clicks(share=share, count=count, at=day_start, spacing=timedelta(seconds=20))
        services.points_award_for_clicks(share_id=share.pk, day=local_date(day_start))
    Share.objects.filter(pk=share.pk).update(human_clicks=sum(per_day))
    return share


def badge(user, code):
    return next(b for b in badges_for(user=user) if b.code == code)


def test_it_earns_the_hundred_clicks_badge_on_human_clicks_not_on_the_capped_ones(alice):
    clicked_share(alice, [478, 20, 20, 1])
    # The points ledger caps clicks at 20 per share per day: 61 clicks earned points ...
    capped = PointEvent.objects.filter(user=alice, kind=PointEvent.Kind.CLICKS).aggregate(n=Sum("quantity"))["n"]
    assert capped == 61
    # ... but people clicked 519 times, and the badge is about clicks.
    hundred = badge(alice, "hundred_clicks")
    assert hundred.earned
    assert hundred.progress == "519 human clicks so far"


def test_it_does_not_give_the_badge_below_a_hundred_human_clicks(alice):
    clicked_share(alice, [99])
    assert not badge(alice, "hundred_clicks").earned
    assert badge(alice, "hundred_clicks").progress == "99 human clicks so far"


def test_every_page_and_api_shows_the_same_human_clicks(client, alice, casey):
    clicked_share(alice, [478, 20, 20, 1])
    clicked_share(alice, [7])

    client.force_login(alice)
    activity = client.get(reverse("sharing:my_activity")).content.decode()
    assert "526 human clicks on your tracked links" in activity
    points = client.get(reverse("leaderboard:my_points")).content.decode()
    assert "526 human clicks so far" in points
    api_badges = {b["code"]: b for b in client.get(reverse("leaderboard:api_my_points")).json()["badges"]}
    assert api_badges["hundred_clicks"]["earned"] is True
    assert api_badges["hundred_clicks"]["progress"] == "526 human clicks so far"
    api_shares = client.get(reverse("sharing:api_share_list")).json()["results"]
    assert sum(share["human_clicks"] for share in api_shares) == 526
    data = client.get(reverse("people:my_data")).json()
    assert data["clicks"]["total_human_clicks"] == 526

    rollups_refresh(full=True)  # the dashboards read the rollups the worker keeps
    client.force_login(casey)
    dashboard = client.get(reverse("analytics:comms_dashboard")).content.decode()
    assert '<dd id="figure-clicks">526</dd>' in dashboard
