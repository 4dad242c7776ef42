from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from content_library.models import Suggestion
from leaderboard.models import PendingPointEvent, PointEvent, PointsRules, Recompute
from leaderboard.services import (
    points_adjust,
    points_award_for_clicks,
    points_award_for_metric_change,
    points_award_for_share,
    points_award_for_suggestion,
    points_event_void,
    points_recompute,
    points_rules_current,
    points_rules_update,
)
from sharing.models import Click
from tests.content_library.factories import CampaignFactory, SuggestionFactory

from .conftest import make_clicks, make_metric_change, make_post, make_share

pytestmark = pytest.mark.django_db
WEDNESDAY = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
Kind = PointEvent.Kind


def total(user):
    return sum(PointEvent.objects.filter(user=user).values_list("points", flat=True))


def test_the_first_rules_are_the_documented_defaults():
    rules = points_rules_current()
    assert rules.version == 1
    assert (rules.share, rules.featured_share, rules.human_click, rules.click_cap_per_share_per_day) == (10, 15, 1, 20)
    assert (rules.like, rules.repost, rules.reply, rules.suggestion_approved, rules.streak_bonus) == (1, 3, 2, 25, 20)


def test_a_share_awards_once_however_often_the_award_runs(alice):
    share = make_share(user=alice, at=WEDNESDAY)
    first = points_award_for_share(share_id=share.pk)
    again = points_award_for_share(share_id=share.pk)
    assert first.points == 10 and first.cause_key == f"share:{share.pk}"
    assert again is None
    assert PointEvent.objects.filter(user=alice).count() == 1
    assert PendingPointEvent.objects.count() == 1
    assert (first.week, first.month, first.quarter) == (date(2026, 11, 23), date(2026, 11, 1), date(2026, 10, 1))


def test_a_featured_post_is_worth_more_and_carries_its_campaign_and_team(alice):
    campaign = CampaignFactory()
    share = make_share(user=alice, post=make_post(featured=True, campaign=campaign), at=WEDNESDAY)
    event = points_award_for_share(share_id=share.pk)
    assert event.points == 15
    assert event.campaign_id_at_award == campaign.pk
    assert event.team_id_at_award == alice.team_id


def test_a_rules_change_applies_from_then_on_and_each_event_names_its_version(alice, casey):
    before = points_award_for_share(share_id=make_share(user=alice, at=WEDNESDAY).pk)
    rules = points_rules_update(actor=casey, note="Launch month", share=40)
    after = points_award_for_share(share_id=make_share(user=alice, at=WEDNESDAY).pk)
    before.refresh_from_db()
    assert (before.points, before.rules.version) == (10, 1)
    assert (after.points, after.rules_id) == (40, rules.pk)
    assert rules.version == 2 and rules.note == "Launch month"


def test_a_rules_change_needs_a_note(casey):
    with pytest.raises(ValidationError):
        points_rules_update(actor=casey, note="  ", share=40)
    assert PointsRules.objects.count() <= 1


def test_clicks_award_per_share_and_day_up_to_the_cap(alice):
    share = make_share(user=alice, at=WEDNESDAY - timedelta(hours=2))
    make_clicks(share=share, count=25, at=WEDNESDAY, spacing=timedelta(minutes=1))
    make_clicks(share=share, count=3, at=WEDNESDAY, kind=Click.Kind.BOT)
    event = points_award_for_clicks(share_id=share.pk, day=date(2026, 11, 25))
    assert (event.points, event.quantity) == (20, 20)
    assert event.cause_key == f"clicks:{share.pk}:2026-11-25"
    assert "daily cap" in event.description
    assert points_award_for_clicks(share_id=share.pk, day=date(2026, 11, 25)) is None


def test_later_clicks_the_same_day_award_a_top_up_batch_once(alice):
    share = make_share(user=alice, at=WEDNESDAY - timedelta(hours=2))
    make_clicks(share=share, count=3, at=WEDNESDAY)
    points_award_for_clicks(share_id=share.pk, day=date(2026, 11, 25))
    make_clicks(share=share, count=2, at=WEDNESDAY + timedelta(hours=3))
    top_up = points_award_for_clicks(share_id=share.pk, day=date(2026, 11, 25))
    assert top_up.cause_key == f"clicks:{share.pk}:2026-11-25:from-3"
    assert top_up.quantity == 2
    assert points_award_for_clicks(share_id=share.pk, day=date(2026, 11, 25)) is None
    assert total(alice) == 5


def test_clicks_on_another_day_are_another_cause(alice):
    share = make_share(user=alice, at=WEDNESDAY - timedelta(days=1))
    make_clicks(share=share, count=2, at=WEDNESDAY - timedelta(days=1))
    make_clicks(share=share, count=4, at=WEDNESDAY)
    first = points_award_for_clicks(share_id=share.pk, day=date(2026, 11, 24))
    second = points_award_for_clicks(share_id=share.pk, day=date(2026, 11, 25))
    assert (first.quantity, second.quantity) == (2, 4)


def test_click_days_follow_the_leaderboard_time_zone(settings, alice):
    settings.LEADERBOARD_TIME_ZONE = "America/New_York"
    share = make_share(user=alice, at=WEDNESDAY - timedelta(days=1))
    # 02:00 UTC on Wednesday is still Tuesday evening in New York.
    make_clicks(share=share, count=1, at=datetime(2026, 11, 25, 2, 0, tzinfo=UTC))
    assert points_award_for_clicks(share_id=share.pk, day=date(2026, 11, 25)) is None
    assert points_award_for_clicks(share_id=share.pk, day=date(2026, 11, 24)).quantity == 1


def test_sharing_in_consecutive_weeks_earns_a_streak_bonus_that_grows(alice):
    for weeks_ago in (3, 2, 1, 0):
        points_award_for_share(share_id=make_share(user=alice, at=WEDNESDAY - timedelta(weeks=weeks_ago)).pk)
    streaks = list(PointEvent.objects.filter(user=alice, kind=Kind.STREAK).order_by("week"))
    assert [streak.quantity for streak in streaks] == [2, 3, 4]
    assert streaks[-1].cause_key == f"streak:{alice.pk}:2026-W48"
    assert all(streak.points == 20 for streak in streaks)


def test_a_gap_week_restarts_the_streak(alice):
    for weeks_ago in (3, 1, 0):
        points_award_for_share(share_id=make_share(user=alice, at=WEDNESDAY - timedelta(weeks=weeks_ago)).pk)
    assert list(PointEvent.objects.filter(user=alice, kind=Kind.STREAK).values_list("quantity", flat=True)) == [2]


def test_two_shares_in_one_week_earn_one_streak_bonus(alice):
    points_award_for_share(share_id=make_share(user=alice, at=WEDNESDAY - timedelta(weeks=1)).pk)
    points_award_for_share(share_id=make_share(user=alice, at=WEDNESDAY).pk)
    points_award_for_share(share_id=make_share(user=alice, at=WEDNESDAY + timedelta(hours=1)).pk)
    assert PointEvent.objects.filter(user=alice, kind=Kind.STREAK).count() == 1


def test_a_metric_change_awards_its_growth_once_and_is_marked_consumed(alice):
    share = make_share(user=alice, at=WEDNESDAY)
    likes = make_metric_change(share=share, metric="likes", total=4, at=WEDNESDAY)
    event = points_award_for_metric_change(change_id=likes.pk)
    assert (event.points, event.quantity, event.cause_key) == (4, 4, f"metric:{likes.pk}")
    assert event.description == f"4 new likes on “{share.post.title}”"
    assert points_award_for_metric_change(change_id=likes.pk) is None
    likes.refresh_from_db()
    assert likes.consumed_at is not None
    reposts = make_metric_change(share=share, metric="reposts", total=2, at=WEDNESDAY)
    assert points_award_for_metric_change(change_id=reposts.pk).points == 2 * 3


def test_a_total_that_dips_and_recovers_pays_only_for_new_highs(alice):
    share = make_share(user=alice, at=WEDNESDAY)
    for reached, previous in ((5, None), (4, 5), (6, 4)):
        change = make_metric_change(share=share, metric="replies", total=reached, previous=previous, at=WEDNESDAY)
        points_award_for_metric_change(change_id=change.pk)
    assert sum(PointEvent.objects.filter(kind=Kind.METRIC).values_list("quantity", flat=True)) == 6
    assert total(alice) == 6 * 2


def test_impressions_earn_nothing_but_are_consumed(alice):
    share = make_share(user=alice, at=WEDNESDAY)
    change = make_metric_change(share=share, metric="impressions", total=900, at=WEDNESDAY)
    assert points_award_for_metric_change(change_id=change.pk) is None
    change.refresh_from_db()
    assert change.consumed_at is not None


def test_an_approved_suggestion_awards_its_author_once(alice):
    pending = SuggestionFactory(author=alice)
    assert points_award_for_suggestion(suggestion_id=pending.pk) is None
    pending.status = Suggestion.Status.APPROVED
    pending.reviewed_at = WEDNESDAY
    pending.save()
    assert points_award_for_suggestion(suggestion_id=pending.pk).points == 25
    assert points_award_for_suggestion(suggestion_id=pending.pk) is None


def test_a_void_is_its_own_row_and_the_original_stays(alice, harper):
    event = points_award_for_share(share_id=make_share(user=alice, at=WEDNESDAY).pk)
    void = points_event_void(event=event, actor=harper, reason="Shared by mistake")
    event.refresh_from_db()
    assert event.points == 10
    assert (void.points, void.target, void.reason, void.actor) == (-10, event, "Shared by mistake", harper)
    assert (void.week, void.occurred_at) == (event.week, event.occurred_at)
    assert points_event_void(event=event, actor=harper, reason="again") == void
    assert total(alice) == 0


def test_a_void_or_adjustment_needs_a_reason(alice, harper):
    event = points_award_for_share(share_id=make_share(user=alice, at=WEDNESDAY).pk)
    with pytest.raises(ValidationError):
        points_event_void(event=event, actor=harper, reason=" ")
    with pytest.raises(ValidationError):
        points_adjust(user=alice, points=5, actor=harper, reason="")
    assert PointEvent.objects.count() == 1


def test_a_void_cannot_be_voided(alice, harper):
    event = points_award_for_share(share_id=make_share(user=alice, at=WEDNESDAY).pk)
    void = points_event_void(event=event, actor=harper, reason="Duplicate")
    with pytest.raises(ValidationError):
        points_event_void(event=void, actor=harper, reason="undo")


def test_an_adjustment_adds_points_once_per_form_submission(alice, harper):
    first = points_adjust(user=alice, points=-7, actor=harper, reason="Clicks from a test script", idempotency_key="k1")
    again = points_adjust(user=alice, points=-7, actor=harper, reason="Clicks from a test script", idempotency_key="k1")
    assert first == again
    assert total(alice) == -7
    with pytest.raises(ValidationError):
        points_adjust(user=alice, points=0, actor=harper, reason="nothing")


def test_a_recompute_reprices_history_by_correction_rows_and_is_audited(alice, bob, casey, harper):
    kept = points_award_for_share(share_id=make_share(user=alice, at=WEDNESDAY).pk)
    voided = points_award_for_share(share_id=make_share(user=bob, at=WEDNESDAY).pk)
    points_event_void(event=voided, actor=harper, reason="Not a real share")
    points_rules_update(actor=casey, note="Shares count more", share=12)
    assert total(alice) == 10  # a rules change alone rewrites nothing
    recompute = points_recompute(actor=harper, reason="Apply the new share value to the quarter")
    assert (recompute.events_changed, recompute.points_delta) == (1, 2)
    correction = PointEvent.objects.get(kind=Kind.CORRECTION)
    assert (correction.target, correction.points, correction.actor) == (kept, 2, harper)
    assert total(alice) == 12 and total(bob) == 0
    again = points_recompute(actor=harper, reason="Run it twice")
    assert again.events_changed == 0
    assert Recompute.objects.count() == 2
    void = points_event_void(event=kept, actor=harper, reason="Later found fake")
    assert void.points == -12


# --- HR's changes move the boards by themselves (whoever calls the service) -------------------


def _board_points(user) -> int | None:
    from leaderboard.models import Standing

    row = Standing.objects.filter(user=user, period="all", scope="everyone").first()
    return row.points if row else None


def test_an_adjustment_queues_the_standings_apply_when_it_commits(
    alice, harper, celery_eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        points_adjust(user=alice, points=7, actor=harper, reason="Helped at the fair")
    assert len(callbacks) == 1
    assert _board_points(alice) == 7
    assert PendingPointEvent.objects.count() == 0


def test_a_void_queues_the_standings_apply_when_it_commits(
    alice, harper, celery_eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = points_adjust(user=alice, points=7, actor=harper, reason="Helped at the fair")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        points_event_void(event=event, actor=harper, reason="Counted twice")
    assert len(callbacks) == 1
    assert _board_points(alice) == 0


def test_a_recompute_queues_the_standings_apply_when_it_commits(
    alice, harper, celery_eager, django_capture_on_commit_callbacks
):
    share = make_share(user=alice, at=datetime.now(UTC))
    points_award_for_share(share_id=share.pk)
    points_rules_update(actor=harper, note="Shares count more", share=30)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        points_recompute(actor=harper, reason="New share value")
    assert len(callbacks) == 1
    assert _board_points(alice) == 30
