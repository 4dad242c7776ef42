import random

import pytest
from django.utils import timezone

from metrics import demo
from metrics.models import MetricChange, MetricSnapshot, ShareMetrics
from tests.metrics.conftest import make_share

pytestmark = pytest.mark.django_db


def unpublished_shares(user, n):
    shares = [make_share(user=user, network=network) for network in ["linkedin", "x", "bluesky", "threads"] * n]
    from sharing.models import Share

    Share.objects.filter(pk__in=[s.pk for s in shares]).update(
        published_url="",
        published_post_id="",
        published_recorded_at=None,
        last_shared_at=timezone.now() - timezone.timedelta(days=3),
    )
    return shares


def test_it_writes_marked_histories_that_follow_the_schedule_and_is_idempotent(alice):
    unpublished_shares(alice, 6)
    lines = []
    demo.seed(rng=random.Random(1), now=timezone.now(), log=lines.append)
    tracked = list(ShareMetrics.objects.select_related("share"))
    assert 8 <= len(tracked) <= 24
    assert all(t.is_demo and t.next_pull_at is None for t in tracked)
    assert not MetricSnapshot.objects.filter(is_demo=False).exists()
    for t in tracked:
        assert t.share.published_url
        history = list(MetricSnapshot.objects.filter(share=t.share).order_by("slot").values_list("likes", flat=True))
        assert 24 <= len(history) <= 40, "hourly for a day, then every 6 hours"
        assert history == sorted(history), "demo totals only grow"
        if t.network == "linkedin":
            assert t.reposts is None and t.impressions is None
        if t.network == "threads":
            assert t.share.published_url.startswith("https://www.threads.com/@")
            assert t.impressions is not None, "Threads views are shown as impressions"
    assert MetricChange.objects.exists()
    counts = (ShareMetrics.objects.count(), MetricSnapshot.objects.count(), MetricChange.objects.count())
    demo.seed(rng=random.Random(2), now=timezone.now(), log=lines.append)
    assert (ShareMetrics.objects.count(), MetricSnapshot.objects.count(), MetricChange.objects.count()) == counts
    assert "marked as demo data" in lines[0]
