"""Demo points: the ledger filled from whatever the demo shares, clicks, metrics and suggestions are.

Every award goes through the same services the workers use, so the demo boards
are what the workers would have produced; one click batch is voided by HR with a
reason, so "why do I have these points?" shows what a void looks like.
"""

from advocacy.people.models import User
from advocacy.people.roles import Role

from . import click_awards, selectors, services
from .models import PointEvent
from .review_flags import review_flags_refresh
from .standings_rebuild import standings_rebuild

DEMO_VOID_REASON = "Demo: HR voided this click batch while checking an unusual click pattern with the sharer."


def seed(*, rng, now, log) -> None:
    from sharing.models import Share

    before = PointEvent.objects.count()
    services.points_rules_current()
    for share_id in Share.objects.order_by("created_at", "pk").values_list("pk", flat=True):
        services.points_award_for_share(share_id=share_id)
    rules = services.points_rules_current()
    # Day by day (the order click_batches_due gives), as the workers would have awarded them.
    due = click_awards.click_batches_due(since_day=None, cap=rules.click_cap_per_share_per_day)
    click_awards.points_award_click_batches(batches=due, rules=rules)
    for change_id in _all(selectors.metric_changes_awaiting_points):
        services.points_award_for_metric_change(change_id=change_id)
    for suggestion_id in selectors.suggestions_awaiting_points():
        services.points_award_for_suggestion(suggestion_id=suggestion_id)
    _void_one(log)
    standings_rebuild(now=now)
    review_flags_refresh(now=now, full=True)
    log(f"leaderboard: {PointEvent.objects.count() - before} ledger events added, standings rebuilt")


def _all(fetch):
    """Metric changes are marked consumed as they are awarded, so fetch until none are left."""
    while True:
        ids = fetch()
        if not ids:
            return
        yield from ids


def _void_one(log) -> None:
    if PointEvent.objects.filter(kind=PointEvent.Kind.VOID).exists():
        return
    hr = User.objects.filter(groups__name=Role.HR.value, is_active=True).order_by("pk").first()
    target = (
        PointEvent.objects.filter(kind=PointEvent.Kind.CLICKS, quantity__gte=2)
        .exclude(user__username="employee")
        .order_by("-quantity", "pk")
        .first()
    )
    if hr is None or target is None:
        log("leaderboard: no click batch to void in the demo")
        return
    services.points_event_void(event=target, actor=hr, reason=DEMO_VOID_REASON)
