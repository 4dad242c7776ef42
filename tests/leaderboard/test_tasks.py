from datetime import timedelta

import pytest
from django.utils import timezone

from content_library.models import Suggestion
from leaderboard import services, tasks
from leaderboard.models import PendingPointEvent, PointEvent, Standing
from leaderboard.periods import day_bounds, local_date
from tests.content_library.factories import SuggestionFactory

from .conftest import make_clicks, make_metric_change, make_share

pytestmark = pytest.mark.django_db
Kind = PointEvent.Kind


def ledger():
    return sorted(PointEvent.objects.values_list("cause_key", "points"))


def standings():
    return sorted(Standing.objects.values_list("period", "scope", "scope_id", "user_id", "points", "events"))


@pytest.fixture
def sources(alice, bob):
    now = timezone.now()
    # Everything today, even just after midnight, so one click day is expected.
    today = day_bounds(local_date(now))[0]
    share = make_share(user=alice, at=max(now - timedelta(minutes=30), today))
    make_clicks(share=share, count=3, at=max(now - timedelta(minutes=20), today), spacing=timedelta(seconds=1))
    old = make_share(user=bob, at=now - timedelta(days=10))
    suggestion = SuggestionFactory(author=bob, status=Suggestion.Status.APPROVED, reviewed_at=now)
    change = make_metric_change(share=share, metric="likes", total=2, at=now)
    return share, old, suggestion, change


def test_the_scan_awards_every_new_cause_and_updates_the_boards(alice, bob, sources):
    share, old, suggestion, change = sources
    counts = tasks.scan_sources()
    assert counts == {
        "shares": 1,
        "click_days": 1,
        "suggestions": 1,
        "metric_changes": 1,
        "voided_unverified": 0,
        "applied": 4,
    }
    assert {key for key, _ in ledger()} == {
        f"share:{share.pk}",
        f"metric:{change.pk}",
        f"clicks:{share.pk}:{local_date(timezone.now()).isoformat()}",
        f"suggestion:{suggestion.pk}",
    }
    assert Standing.objects.get(period="week", scope="everyone", user=alice).points == 10 + 3 + 2
    assert PendingPointEvent.objects.count() == 0


def test_running_the_scan_twice_awards_nothing_more(sources):
    tasks.scan_sources()
    first = (ledger(), standings())
    assert tasks.scan_sources() == {
        "shares": 0,
        "click_days": 0,
        "suggestions": 0,
        "metric_changes": 0,
        "voided_unverified": 0,
        "applied": 0,
    }
    assert (ledger(), standings()) == first


def test_the_nightly_full_scan_catches_old_shares_once(bob, sources):
    _, old, _, _ = sources
    tasks.scan_sources()
    assert tasks.scan_sources(full=True)["shares"] == 1
    assert PointEvent.objects.filter(cause_key=f"share:{old.pk}").count() == 1
    assert tasks.scan_sources(full=True)["shares"] == 0


def test_each_award_task_run_twice_awards_once(alice, sources):
    share, _, suggestion, change = sources
    day = local_date(timezone.now()).isoformat()
    for _ in range(2):
        tasks.award_share(share.pk)
        tasks.award_clicks(share.pk, day)
        tasks.award_suggestion(suggestion.pk)
        tasks.award_metric_change(change.pk)
    assert len(ledger()) == 4
    assert Standing.objects.get(period="all", scope="everyone", user=alice).points == 15


def test_the_apply_and_rebuild_tasks_run_twice_give_the_same_standings(sources):
    tasks.scan_sources()
    tasks.apply_standings()
    tasks.apply_standings()
    applied = standings()
    tasks.rebuild_standings()
    tasks.rebuild_standings()
    assert standings() == applied


def test_the_standings_apply_queued_on_commit_moves_the_boards(celery_eager, alice, django_capture_on_commit_callbacks):
    share = make_share(user=alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.points_award_for_share(share_id=share.pk)
        tasks.queue_standings_apply()
        assert not Standing.objects.filter(user=alice).exists()  # nothing before the commit
    assert Standing.objects.filter(user=alice, period="week").exists()


def test_clicks_arriving_later_the_same_day_are_picked_up_by_the_next_scan(alice, sources):
    share, _, _, _ = sources
    tasks.scan_sources()
    make_clicks(share=share, count=2, at=timezone.now(), spacing=timedelta(seconds=1))
    assert tasks.scan_sources()["click_days"] == 1
    assert sum(PointEvent.objects.filter(kind=Kind.CLICKS).values_list("quantity", flat=True)) == 5
