"""Writes to the points ledger. Every award, void, adjustment and recompute comes through here.

Each award has a cause key (``share:<id>``, ``clicks:<share>:<day>``…) under a
unique constraint, and is inserted with insert-or-ignore: running an award
twice, or two workers running it at once, awards once. Ledger rows are never
updated or deleted; see models.py.
"""

import uuid
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from . import click_awards
from .models import PendingPointEvent, PointEvent, PointsRules, Recompute
from .periods import day_bounds, iso_week_label, period_starts
from .selectors import is_voided

Kind = PointEvent.Kind
# Awards a recompute may re-price; voids, adjustments and corrections are HR's own rows.
AWARD_KINDS = (Kind.SHARE, Kind.CLICKS, Kind.METRIC, Kind.SUGGESTION, Kind.STREAK)
RULE_FIELDS = (
    "share",
    "featured_share",
    "human_click",
    "click_cap_per_share_per_day",
    "like",
    "repost",
    "reply",
    "suggestion_approved",
    "streak_bonus",
    "hidden_display",
    "exclude_staff",
)


# --- Rules --------------------------------------------------------------------------------


def points_rules_current() -> PointsRules:
    """The rules in force, creating version 1 with the documented defaults on first use."""
    rules = PointsRules.objects.order_by("-version").first()
    if rules is None:
        with transaction.atomic():
            rules = PointsRules.objects.create(version=1, note="Documented defaults")
    return rules


@transaction.atomic
def points_rules_update(*, actor, note: str, **values) -> PointsRules:
    """Save a new version of the rules; it prices events from now on and past events keep theirs.

    Changing how hidden people or staff appear re-flags the standings at once (by a full rebuild).
    """
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise ValueError(f"Not a points rule: {', '.join(sorted(unknown))}")
    if not note.strip():
        raise ValidationError({"note": _("Say why the points change; the note stays in the history.")})
    current = points_rules_current()
    data = {field: getattr(current, field) for field in RULE_FIELDS} | values
    rules = PointsRules(**data, version=current.version + 1, note=note.strip(), created_by=actor)
    rules.full_clean(exclude=["created_by", "version"])
    rules.save()
    if (current.hidden_display, current.exclude_staff) != (rules.hidden_display, rules.exclude_staff):
        from .tasks import rebuild_standings

        transaction.on_commit(lambda: rebuild_standings.delay())
    return rules


def _standings_follow() -> None:
    """HR's changes reach the boards at once: the apply is queued for when this write commits.

    The scans apply their own awards as they go; HR's voids, adjustments and recomputes come
    from pages, the API, the admin or a shell, and every one of them must move the boards.
    """
    from .tasks import queue_standings_apply

    queue_standings_apply()


# --- The ledger -----------------------------------------------------------------------------


def _ledger_insert(
    *,
    cause_key: str,
    user_id: int,
    kind: str,
    points: int,
    occurred_at: datetime,
    description: str,
    rules: PointsRules | None = None,
    quantity: int = 1,
    team_id: int | None = None,
    campaign_id: int | None = None,
    share_ref: int | None = None,
    day: date | None = None,
    target: PointEvent | None = None,
    reason: str = "",
    actor=None,
    detail: dict | None = None,
    periods_from: PointEvent | None = None,
) -> PointEvent | None:
    """Insert-or-ignore one ledger row and queue it for the standings; None if the cause was already recorded."""
    if periods_from is not None:
        week, month, quarter = periods_from.week, periods_from.month, periods_from.quarter
    else:
        starts = period_starts(occurred_at)
        week, month, quarter = starts["week"], starts["month"], starts["quarter"]
    try:
        with transaction.atomic():
            event = PointEvent.objects.create(
                cause_key=cause_key,
                user_id=user_id,
                kind=kind,
                points=points,
                quantity=quantity,
                rules=rules,
                occurred_at=occurred_at,
                week=week,
                month=month,
                quarter=quarter,
                team_id_at_award=team_id,
                campaign_id_at_award=campaign_id,
                share_ref=share_ref,
                day=day,
                target=target,
                description=description[:300],
                reason=reason,
                actor=actor,
                detail=detail or {},
            )
            PendingPointEvent.objects.create(event=event)
    except IntegrityError:
        if PointEvent.objects.filter(cause_key=cause_key).exists():
            return None
        raise
    return event


def _share_for_award(share_id: int):
    from sharing.models import Share

    return Share.objects.select_related("post", "user").filter(pk=share_id).first()


def _credited_by(share) -> dict:
    """Who an award for a share goes to, and the team and campaign boards it counts on (as they are now)."""
    return {
        "user_id": share.user_id,
        "team_id": share.user.team_id,
        "campaign_id": share.post.campaign_id,
        "share_ref": share.pk,
    }


@transaction.atomic
def points_award_for_share(*, share_id: int) -> PointEvent | None:
    """Award the points for sharing (more for a featured post), once per share, plus any streak bonus.

    Returns the new event, or None when the share is gone or was already awarded.
    """
    share = _share_for_award(share_id)
    if share is None:
        return None
    rules = points_rules_current()
    featured = share.post.is_featured
    event = _ledger_insert(
        cause_key=f"share:{share.pk}",
        **_credited_by(share),
        kind=Kind.SHARE,
        points=rules.featured_share if featured else rules.share,
        rules=rules,
        occurred_at=share.created_at,
        description=f"Shared “{share.post.title}” on {share.get_network_display()}",
        detail={"featured": featured, "network": share.network, "post": share.post_id},
    )
    week = period_starts(share.created_at)["week"]
    # The next week too: a late award for last week can complete a streak already under way.
    for candidate in (week, week + timedelta(days=7)):
        _streak_award(user=share.user, week=candidate, rules=rules)
    return event


def _streak_award(*, user, week: date, rules: PointsRules) -> PointEvent | None:
    shares = PointEvent.objects.filter(user=user, kind=Kind.SHARE)
    first_share = shares.filter(week=week).order_by("occurred_at", "id").first()
    if first_share is None or not shares.filter(week=week - timedelta(days=7)).exists():
        return None
    previous = PointEvent.objects.filter(user=user, kind=Kind.STREAK, week=week - timedelta(days=7)).first()
    length = previous.quantity + 1 if previous else 2
    return _ledger_insert(
        cause_key=f"streak:{user.pk}:{iso_week_label(week)}",
        user_id=user.pk,
        kind=Kind.STREAK,
        points=rules.streak_bonus,
        rules=rules,
        quantity=length,
        occurred_at=first_share.occurred_at,
        team_id=user.team_id,
        description=f"Shared {length} weeks in a row",
        detail={"weeks": length},
    )


@transaction.atomic
def points_award_for_clicks(*, share_id: int, day: date) -> PointEvent | None:
    """Award the human clicks on a share's link during ``day`` (board time zone), up to the daily cap.

    The one-share form of the scan's set-based award (click_awards.py, which explains the
    batches and their keys); returns the new event, or None when nothing was due.
    """
    due = [
        batch
        for batch in click_awards.click_batches_due(
            since_day=None, cap=points_rules_current().click_cap_per_share_per_day, share_id=share_id
        )
        if batch.day == day
    ]
    ids = click_awards.points_award_click_batches(batches=due, rules=points_rules_current())
    return PointEvent.objects.get(pk=ids[0]) if ids else None


METRIC_RULES = {
    "likes": ("like", "like", "likes"),
    "reposts": ("repost", "repost", "reposts"),
    "replies": ("reply", "reply", "replies"),
}


@transaction.atomic
def points_award_for_metric_change(*, change_id: int) -> PointEvent | None:
    """Award the growth of a like, repost or reply total that the metrics app recorded.

    Only growth beyond the highest total already awarded for that share and metric
    earns points, so a like withdrawn and given again, or a total that dips and
    recovers, never pays twice. The change is marked consumed for the metrics app.
    Only verified posts earn: a change of a post still being verified waits, one whose
    verification failed is consumed without points.
    """
    from metrics.models import MetricChange
    from sharing.models import Share, Verification

    change = MetricChange.objects.filter(pk=change_id).first()
    if change is None:
        return None
    event = None
    if change.metric in METRIC_RULES:
        # One award at a time per share, so two changes cannot both count the same growth.
        share = Share.objects.select_for_update().select_related("post", "user").filter(pk=change.share_id).first()
        if share is not None and share.published_verification == Verification.VERIFYING:
            return None  # left unconsumed: it is awarded once the post is verified
        credited = (
            PointEvent.objects.filter(
                kind=Kind.METRIC, share_ref=change.share_id, detail__metric=change.metric
            ).aggregate(n=Sum("quantity"))["n"]
            or 0
        )
        growth = change.total - credited
        # Only a verified post (the employee's own, with the share's link) earns engagement points.
        if share is not None and share.is_scored and growth > 0:
            rules = points_rules_current()
            field, singular, plural = METRIC_RULES[change.metric]
            event = _ledger_insert(
                cause_key=f"metric:{change.pk}",
                **_credited_by(share),
                kind=Kind.METRIC,
                points=growth * getattr(rules, field),
                rules=rules,
                quantity=growth,
                occurred_at=change.occurred_at,
                description=f"{growth} new {singular if growth == 1 else plural} on “{share.post.title}”",
                detail={"metric": change.metric, "total": change.total},
            )
    if change.consumed_at is None:
        MetricChange.objects.filter(pk=change.pk, consumed_at=None).update(consumed_at=timezone.now())
    return event


@transaction.atomic
def points_award_for_suggestion(*, suggestion_id: int) -> PointEvent | None:
    """Award an approved content suggestion to its author, once."""
    from content_library.models import Suggestion

    suggestion = Suggestion.objects.select_related("author").filter(pk=suggestion_id).first()
    if suggestion is None or suggestion.status != Suggestion.Status.APPROVED:
        return None
    rules = points_rules_current()
    return _ledger_insert(
        cause_key=f"suggestion:{suggestion.pk}",
        user_id=suggestion.author_id,
        kind=Kind.SUGGESTION,
        points=rules.suggestion_approved,
        rules=rules,
        occurred_at=suggestion.reviewed_at or timezone.now(),
        team_id=suggestion.author.team_id,
        description=f"Suggestion approved: {str(suggestion)[:120]}",
    )


# --- HR: voids, adjustments, recompute --------------------------------------------------------


def _effective_points(event: PointEvent) -> int:
    corrections = event.follow_ups.filter(kind=Kind.CORRECTION).aggregate(n=Sum("points"))["n"] or 0
    return event.points + corrections


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason; it is shown to the employee with the change.")})
    return reason[:500]


def _follow_up_of(event: PointEvent) -> dict:
    """What a void or correction row inherits from the event it follows up: who, when, and which boards."""
    return {
        "user_id": event.user_id,
        "occurred_at": event.occurred_at,
        "periods_from": event,
        "team_id": event.team_id_at_award,
        "campaign_id": event.campaign_id_at_award,
        "share_ref": event.share_ref,
        "target": event,
    }


@transaction.atomic
def points_event_void(*, event: PointEvent, actor, reason: str) -> PointEvent:
    """Cancel an event with a ledger row of the opposite amount; the original stays visible.

    Voiding twice returns the first void. Voids and corrections themselves cannot be voided.
    """
    reason = _require_reason(reason)
    if event.kind in (Kind.VOID, Kind.CORRECTION):
        raise ValidationError({"event": _("Voids and corrections cannot be voided; void the original event instead.")})
    existing = PointEvent.objects.filter(cause_key=f"void:{event.pk}").first()
    if existing is not None:
        return existing
    amount = _effective_points(event)
    void = _ledger_insert(
        cause_key=f"void:{event.pk}",
        kind=Kind.VOID,
        points=-amount,
        **_follow_up_of(event),
        reason=reason,
        actor=actor,
        description=f"Voided: {event.description}"[:300],
    )
    _standings_follow()
    return void or PointEvent.objects.get(cause_key=f"void:{event.pk}")


@transaction.atomic
def points_adjust(*, user, points: int, actor, reason: str, idempotency_key: str | None = None) -> PointEvent:
    """Add (or take away) points by hand, with a reason the employee sees.

    A form passes its ``idempotency_key`` so a double submit adjusts once.
    """
    reason = _require_reason(reason)
    if not isinstance(points, int) or points == 0:
        raise ValidationError({"points": _("Enter a whole number of points other than zero.")})
    if abs(points) > 100_000:
        raise ValidationError({"points": _("Adjustments are limited to 100,000 points either way.")})
    key = f"adjust:{idempotency_key or uuid.uuid4().hex}"[:120]
    event = _ledger_insert(
        cause_key=key,
        user_id=user.pk,
        kind=Kind.ADJUSTMENT,
        points=points,
        occurred_at=timezone.now(),
        team_id=user.team_id,
        reason=reason,
        actor=actor,
        description=f"Adjustment by HR ({points:+d})",
    )
    _standings_follow()
    return event or PointEvent.objects.get(cause_key=key)


def _priced(event: PointEvent, rules: PointsRules) -> int:
    detail = event.detail or {}
    if event.kind == Kind.SHARE:
        return rules.featured_share if detail.get("featured") else rules.share
    if event.kind == Kind.CLICKS:
        return event.quantity * rules.human_click
    if event.kind == Kind.METRIC:
        field = METRIC_RULES.get(detail.get("metric"), ("like",))[0]
        return event.quantity * getattr(rules, field)
    if event.kind == Kind.SUGGESTION:
        return rules.suggestion_approved
    return rules.streak_bonus


@transaction.atomic
def points_recompute(*, actor, reason: str, since: date | None = None) -> Recompute:
    """Re-price past awards with the current rules: the only way history changes, and it is audited.

    Nothing is edited: each award whose value changes gets a correction row
    (``correction:<recompute>:<event>``) for the difference, under a Recompute
    record naming who ran it and why. Voided awards stay voided. Click batches
    keep the number of clicks they counted (the daily cap is not re-applied).
    """
    reason = _require_reason(reason)
    rules = points_rules_current()
    recompute = Recompute.objects.create(actor=actor, reason=reason, rules=rules, since=since)
    awards = PointEvent.objects.filter(kind__in=AWARD_KINDS).filter(~is_voided()).order_by("id")
    if since is not None:
        awards = awards.filter(occurred_at__gte=day_bounds(since)[0])
    corrections = dict(
        PointEvent.objects.filter(kind=Kind.CORRECTION, target__in=awards)
        .values("target")
        .annotate(total=Sum("points"))
        .values_list("target", "total")
    )
    changed = delta_total = 0
    for event in awards.iterator(chunk_size=2000):
        delta = _priced(event, rules) - (event.points + corrections.get(event.pk, 0))
        if not delta:
            continue
        _ledger_insert(
            cause_key=f"correction:{recompute.pk}:{event.pk}",
            kind=Kind.CORRECTION,
            points=delta,
            rules=rules,
            **_follow_up_of(event),
            reason=reason,
            actor=actor,
            description=f"Recompute with rules v{rules.version}: {event.description}"[:300],
        )
        changed += 1
        delta_total += delta
    recompute.events_changed = changed
    recompute.points_delta = delta_total
    recompute.save(update_fields=["events_changed", "points_delta"])
    _standings_follow()
    return recompute


@transaction.atomic
def points_void_for_failed_verification(*, event_id: int) -> PointEvent | None:
    """Void an engagement award whose published post failed verification, with the reason; the row stays.

    Idempotent (a second run returns the first void) and by no one in particular: the
    verification, not a person, is the reason.
    """
    from sharing.models import Share

    event = PointEvent.objects.filter(pk=event_id, kind=Kind.METRIC).first()
    share = Share.objects.filter(pk=event.share_ref).first() if event is not None else None
    if share is None or share.published_verification not in share.Verification.failed():
        return None
    state = share.Verification(share.published_verification).label.lower()
    reason = f"The published post failed verification ({state}): {share.published_verification_detail}".rstrip(": ")
    return points_event_void(event=event, actor=None, reason=reason)
