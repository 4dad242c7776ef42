"""Which shares are tracked: starting on a published URL, following a corrected one, and resuming
when the owner connects an account. Pulls themselves are in services.py."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from sharing.models import Share, Verification

from .models import ShareMetrics
from .providers import PROVIDER_CLASSES, InvalidPostUrl, PostRef, provider_for
from .schedule import tracking_window


def share_post_ref(*, share: Share) -> PostRef:
    """The provider reference for a share's published post, parsed again by our own provider."""
    return provider_for(share.network).parse_url(share.published_url)


@transaction.atomic
def share_metrics_start(*, share: Share, now: datetime | None = None) -> ShareMetrics:
    """Start tracking a share whose published URL is known (idempotent); the first pull is due at once."""
    now = now or timezone.now()
    existing = ShareMetrics.objects.filter(share=share).first()
    if existing is not None:
        return existing
    published_at = share.published_recorded_at or now
    fields = {"network": share.network, "published_at": published_at, "next_pull_at": published_at}
    try:
        ref = share_post_ref(share=share)
        fields.update(post_id=ref.post_id, instance=ref.instance)
    except (InvalidPostUrl, LookupError) as exc:
        fields.update(
            post_id=share.published_post_id[:300],
            status=ShareMetrics.Status.UNAVAILABLE,
            next_pull_at=None,
            last_error=str(exc)[:500],
        )
    metrics, _ = ShareMetrics.objects.get_or_create(share=share, defaults=fields)
    return metrics


def shares_start_tracking(*, now: datetime | None = None) -> int:
    """Start tracking every share with a published URL that is not tracked yet, and follow corrected URLs."""
    started = 0
    pending = Share.objects.filter(network__in=list(PROVIDER_CLASSES), metrics__isnull=True).exclude(published_url="")
    for share in pending.order_by("id")[: settings.METRICS_PULL_MAX_PER_RUN]:
        share_metrics_start(share=share, now=now)
        started += 1
    # Sharing stamps published_recorded_at each time the employee saves the link, so a difference means a new link.
    moved = (
        ShareMetrics.objects.filter(is_demo=False, share__published_recorded_at__isnull=False)
        .exclude(published_at=F("share__published_recorded_at"))
        .select_related("share")
    )
    for tracked in moved[: settings.METRICS_PULL_MAX_PER_RUN]:
        share_metrics_repoint(tracked=tracked)
    # Posts pasted before verification existed whose tracking had already ended get one more pull,
    # to check them; the schedule ends it again at once (they are past the tracking window), and
    # a post pulled after its window has had that pull.
    window = tracking_window()
    ShareMetrics.objects.filter(
        Q(last_pulled_at=None) | Q(last_pulled_at__lt=F("published_at") + window),
        is_demo=False,
        status=ShareMetrics.Status.FINISHED,
        share__published_verification=Verification.VERIFYING,
    ).update(status=ShareMetrics.Status.TRACKING, next_pull_at=now or timezone.now(), leased_until=None)
    return started


def shares_resume_tracking(*, person_id: int, network: str, now: datetime | None = None) -> int:
    """The person connected an account on ``network``: ask again, at once, about their posts there that
    had become unavailable (no usable account then) and are still inside the tracking window."""
    now = now or timezone.now()
    window = tracking_window()
    return ShareMetrics.objects.filter(
        share__user_id=person_id,
        network=network,
        status=ShareMetrics.Status.UNAVAILABLE,
        is_demo=False,
        published_at__gt=now - window,
    ).update(status=ShareMetrics.Status.TRACKING, next_pull_at=now, leased_until=None, last_error="")


@transaction.atomic
def share_metrics_repoint(*, tracked: ShareMetrics) -> ShareMetrics:
    """Follow a corrected published URL: ask about the new post from now on, on a fresh schedule.

    Snapshots of the old link stay (their slots are earlier); totals move on with the next pull.
    """
    tracked = ShareMetrics.objects.select_for_update().select_related("share").get(pk=tracked.pk)
    share = tracked.share
    tracked.published_at = share.published_recorded_at
    tracked.next_pull_at = share.published_recorded_at
    tracked.leased_until = None
    try:
        ref = share_post_ref(share=share)
    except (InvalidPostUrl, LookupError) as exc:
        tracked.status, tracked.next_pull_at, tracked.last_error = ShareMetrics.Status.UNAVAILABLE, None, str(exc)[:500]
    else:
        tracked.post_id, tracked.instance = ref.post_id, ref.instance
        tracked.status, tracked.last_error = ShareMetrics.Status.TRACKING, ""
    tracked.save()
    return tracked
