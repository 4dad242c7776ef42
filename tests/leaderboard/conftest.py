"""Shares, clicks and ledger rows for the leaderboard tests, built straight in the source tables."""

import itertools
import uuid
from datetime import datetime, timedelta

from django.utils import timezone

from content_library.models import Post
from sharing.models import Click, Share

_codes = itertools.count(1)


def make_post(*, featured=False, campaign=None, title=None):
    number = next(_codes)
    return Post.objects.create(
        title=title or f"Story {number}",
        slug=f"story-{number}",
        status=Post.Status.APPROVED,
        publish_at=timezone.now() - timedelta(days=400),
        is_featured=featured,
        campaign=campaign,
    )


def make_share(*, user, post=None, network="linkedin", at: datetime | None = None, visitor_hash=""):
    post = post or make_post()
    at = at or timezone.now()
    share = Share.objects.create(
        user=user,
        post=post,
        network=network,
        code=f"c{next(_codes):08d}",
        caption="Have a look",
        last_shared_at=at,
        sharer_visitor_hash=visitor_hash,
    )
    # created_at is auto_now_add: set the time a test needs afterwards.
    Share.objects.filter(pk=share.pk).update(created_at=at)
    share.refresh_from_db()
    return share


def make_clicks(*, share, count, at: datetime, kind=Click.Kind.HUMAN, visitors=None, spacing=timedelta(minutes=7)):
    rows = [
        Click(
            event_id=uuid.uuid4(),
            share=share,
            occurred_at=at + spacing * index,
            visitor_hash=(visitors[index % len(visitors)] if visitors else f"visitor-{uuid.uuid4().hex[:12]}"),
            kind=kind,
            tallied=True,
        )
        for index in range(count)
    ]
    Click.objects.bulk_create(rows)
    return rows


def make_metric_change(*, share, metric, total, at: datetime, previous=None, verification="verified"):
    from metrics.models import MetricChange, MetricSnapshot

    # Only verified posts earn engagement points; a share without a state is taken as verified.
    if not share.published_verification:
        Share.objects.filter(pk=share.pk).update(published_verification=verification)
        share.published_verification = verification

    snapshot, _ = MetricSnapshot.objects.get_or_create(share=share, slot=at, defaults={"taken_at": at})
    return MetricChange.objects.create(
        share=share, metric=metric, total=total, previous_total=previous, snapshot=snapshot, occurred_at=at
    )
