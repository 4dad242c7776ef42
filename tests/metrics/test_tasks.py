"""The pull task survives a worker dying at any point: no snapshot is lost or written twice."""

import random
from collections import deque
from datetime import timedelta

import pytest

from metrics import services
from metrics.models import MetricChange, MetricSnapshot, ShareMetrics
from metrics.services import pulls_schedule
from metrics.tasks import pull_metrics, schedule_pulls
from metrics.tracking import share_metrics_start
from tests.metrics.conftest import Reply, make_share

pytestmark = pytest.mark.django_db(transaction=True)
GET_POSTS = "/xrpc/app.bsky.feed.getPosts"


class WorkerDied(BaseException):
    """Like SIGKILL: nothing in the task gets to handle it."""


def growing_views(api):
    def reply(request):
        # Every answer is a little higher, so a snapshot shows which answer it came from.
        calls = len(api.requests_to(GET_POSTS))
        posts = [{"uri": u, "likeCount": calls, "repostCount": 0} for u in request.query.get("uris", [])]
        return Reply(body={"posts": posts})

    return reply


def test_the_beat_task_queues_and_the_pull_task_records(alice, bluesky_api, queued):
    share = make_share(user=alice)
    bluesky_api.route(GET_POSTS, growing_views(bluesky_api))
    schedule_pulls()
    ((network, items, attempt, _),) = queued
    assert pull_metrics(network, items, attempt) == {"recorded": 1, "skipped": 0, "failed": 0}
    assert MetricSnapshot.objects.filter(share=share).count() == 1


def test_a_worker_killed_between_the_answer_and_the_commit_loses_and_duplicates_nothing(
    alice, bluesky_api, queued, monkeypatch
):
    rng = random.Random(8)
    bluesky_api.route(GET_POSTS, growing_views(bluesky_api))
    shares = [make_share(user=alice) for _ in range(6)]
    for share in shares:
        share_metrics_start(share=share)
    published_at = min(ShareMetrics.objects.values_list("published_at", flat=True))

    real_apply, real_snapshot_record = services._apply, services.snapshot_record
    crashes = {"before_apply": 0, "mid_apply": 0, "after_commit": 0, "lost": 0}

    def apply(**kwargs):
        if rng.random() < 0.08:
            crashes["before_apply"] += 1
            raise WorkerDied  # the network answered; nothing written yet
        return real_apply(**kwargs)

    def snapshot_record(**kwargs):
        snapshot = real_snapshot_record(**kwargs)
        if rng.random() < 0.1:
            crashes["mid_apply"] += 1
            raise WorkerDied  # snapshot and totals written, but the transaction never commits
        return snapshot

    monkeypatch.setattr(services, "_apply", apply)
    monkeypatch.setattr(services, "snapshot_record", snapshot_record)

    rounds, clock = 8, published_at
    for hour in range(rounds):
        clock = max(clock, published_at + timedelta(hours=hour)) + timedelta(minutes=1)
        pulls_schedule(now=clock)
        broker = deque(queued)
        queued.clear()
        deliveries = 0
        while broker:
            deliveries += 1
            assert deliveries < 200, "pulls never settled"
            network, items, attempt, _ = broker[0]
            try:
                pull_metrics(network, items, attempt)
            except WorkerDied:
                if rng.random() < 0.2:
                    # The message itself is gone too; the lease runs out and the scheduler queues it again.
                    crashes["lost"] += 1
                    broker.popleft()
                    clock += timedelta(minutes=31)
                    pulls_schedule(now=clock)
                    broker.extend(queued)
                    queued.clear()
                continue  # acks_late: an unacknowledged message is delivered again
            if rng.random() < 0.35:
                crashes["after_commit"] += 1
                continue  # died after the commit but before the ack: the same message comes back
            broker.popleft()
            if not broker:
                pulls_schedule(now=clock)  # beat runs again: anything that came due meanwhile is queued
            broker.extend(queued)  # and so are the retries the task queued itself
            queued.clear()

        for share in shares:
            # Every hourly slot that has come due by now has exactly one snapshot: none lost, none twice.
            start = ShareMetrics.objects.get(share=share).published_at
            expected = [start + timedelta(hours=k) for k in range(24) if start + timedelta(hours=k) <= clock]
            slots = list(MetricSnapshot.objects.filter(share=share).order_by("slot").values_list("slot", flat=True))
            assert slots == expected, f"share {share.id} after round {hour}"

    assert all(count > 0 for count in crashes.values()), crashes
    for share in shares:
        tracked = ShareMetrics.objects.get(share=share)
        last = MetricSnapshot.objects.filter(share=share).order_by("slot").last()
        assert tracked.likes == last.likes, "totals come from the latest committed snapshot"
        assert tracked.next_pull_at == last.slot + timedelta(hours=1)
        totals = list(MetricChange.objects.filter(share=share, metric="likes").values_list("total", flat=True))
        assert totals == sorted(set(totals)), "each change recorded once"
