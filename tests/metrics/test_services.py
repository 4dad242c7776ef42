import random
from datetime import timedelta

import pytest
from django.utils import timezone

from metrics.models import MetricChange, MetricSnapshot, ProviderHealth, PullFailure, ShareMetrics
from metrics.providers import Metrics
from metrics.services import PullItem, metrics_pull, pulls_schedule, snapshot_record
from metrics.tracking import share_metrics_start
from tests.metrics.conftest import DID, Reply, make_share

pytestmark = pytest.mark.django_db
GET_POSTS = "/xrpc/app.bsky.feed.getPosts"


def views_for(request, likes=10, reposts=2):
    return Reply(
        body={
            "posts": [
                {"uri": u, "likeCount": likes, "repostCount": reposts, "replyCount": 1, "quoteCount": 0}
                for u in request.query.get("uris", [])
            ]
        }
    )


def item_for(share):
    tracked = ShareMetrics.objects.get(share=share)
    return PullItem(share.id, tracked.next_pull_at)


@pytest.fixture(autouse=True)
def _deterministic(settings, monkeypatch):
    settings.METRICS_X_BEARER_TOKEN = ""
    settings.METRICS_LINKEDIN_TOKEN = ""
    settings.METRICS_PULL_MAX_ATTEMPTS = 3
    monkeypatch.setattr("advocacy.ratelimit.random", random.Random(4))


# --- tracking ---------------------------------------------------------------------------------------


def test_it_starts_tracking_a_share_from_its_published_url(alice):
    share = make_share(user=alice, url=f"https://bsky.app/profile/{DID}/post/3lb2tq7xhrc2k")
    tracked = share_metrics_start(share=share)
    assert tracked.post_id == f"at://{DID}/app.bsky.feed.post/3lb2tq7xhrc2k"
    assert tracked.next_pull_at == share.published_recorded_at
    assert share_metrics_start(share=share) == tracked


def test_a_url_our_provider_cannot_read_is_unavailable_not_an_error(alice):
    share = make_share(user=alice, network="x", url="https://x.com/alice")
    tracked = share_metrics_start(share=share)
    assert tracked.status == ShareMetrics.Status.UNAVAILABLE
    assert "single X post" in tracked.last_error


# --- scheduling ---------------------------------------------------------------------------------------


def test_it_queues_due_pulls_once_and_skips_networks_without_credentials(
    alice, queued, django_capture_on_commit_callbacks
):
    bluesky = [make_share(user=alice) for _ in range(3)]
    make_share(user=alice, network="x", url="https://x.com/alice/status/1858462091736784915", code="x1")
    with django_capture_on_commit_callbacks(execute=True):
        assert pulls_schedule() == {"mastodon": 0, "bluesky": 3, "threads": 0}
    assert len(queued) == 1
    network, items, attempt, countdown = queued[0]
    assert (network, attempt, countdown) == ("bluesky", 0, 0)
    assert sorted(share_id for share_id, _ in items) == sorted(s.id for s in bluesky)
    assert ProviderHealth.objects.get(network="x").status == ProviderHealth.Status.NOT_CONFIGURED

    with django_capture_on_commit_callbacks(execute=True):
        pulls_schedule()
    assert len(queued) == 1, "a leased pull is not queued again"


def test_a_lost_task_is_queued_again_when_its_lease_runs_out(alice, queued, django_capture_on_commit_callbacks):
    make_share(user=alice)
    with django_capture_on_commit_callbacks(execute=True):
        pulls_schedule()
    with django_capture_on_commit_callbacks(execute=True):
        pulls_schedule(now=timezone.now() + timedelta(minutes=31))
    assert len(queued) == 2
    assert queued[0][1] == queued[1][1], "same share, same slot"


def test_mastodon_pulls_are_batched_per_instance(settings, alice, queued, django_capture_on_commit_callbacks):
    settings.METRICS_MASTODON_INSTANCE_URLS = {"one.example": "http://127.0.0.1:9", "two.example": "http://127.0.0.1:9"}
    for n, host in enumerate(["one.example", "two.example", "one.example"]):
        make_share(user=alice, network="mastodon", url=f"https://{host}/@alice/11{n}", code=f"m{n}")
    with django_capture_on_commit_callbacks(execute=True):
        pulls_schedule()
    assert sorted(len(items) for _, items, _, _ in queued) == [1, 2]


def test_a_paused_network_is_skipped(alice, queued, django_capture_on_commit_callbacks):
    make_share(user=alice)
    ProviderHealth.objects.create(network="bluesky", paused_until=timezone.now() + timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        pulls_schedule()
    assert queued == []


# --- pulling -------------------------------------------------------------------------------------------


def test_a_pull_records_a_snapshot_moves_totals_and_schedules_the_next(alice, bluesky_api, queued):
    share = make_share(user=alice)
    share_metrics_start(share=share)
    bluesky_api.route(GET_POSTS, views_for)
    item = item_for(share)
    report = metrics_pull(network="bluesky", items=[item])
    assert report.recorded == [share.id]
    tracked = ShareMetrics.objects.get(share=share)
    assert tracked.totals == {"likes": 10, "reposts": 2, "replies": 1, "quotes": 0, "impressions": None}
    assert tracked.next_pull_at >= item.slot + timedelta(hours=1) - timedelta(seconds=1)
    assert MetricSnapshot.objects.get(share=share).slot == item.slot
    assert sorted(MetricChange.objects.values_list("metric", "total")) == [
        ("likes", 10),
        ("replies", 1),
        ("reposts", 2),
    ]
    assert ProviderHealth.objects.get(network="bluesky").status == ProviderHealth.Status.OK


def test_running_the_same_pull_twice_records_one_snapshot(alice, bluesky_api, queued):
    share = make_share(user=alice)
    share_metrics_start(share=share)
    bluesky_api.route(GET_POSTS, views_for)
    item = item_for(share)
    metrics_pull(network="bluesky", items=[item])
    report = metrics_pull(network="bluesky", items=[item])
    assert report.skipped == [share.id]
    assert MetricSnapshot.objects.filter(share=share).count() == 1
    assert len(bluesky_api.requests) == 1, "an applied pull does not ask the network again"


def test_transient_failures_retry_with_backoff_then_are_recorded(alice, bluesky_api, queued):
    share = make_share(user=alice)
    share_metrics_start(share=share)
    snapshot_record(
        tracked=ShareMetrics.objects.get(share=share),
        slot=share.published_recorded_at - timedelta(hours=1),
        metrics=Metrics(likes=5),
        taken_at=timezone.now(),
    )
    bluesky_api.route(GET_POSTS, Reply(status=503, body="down"))
    item = item_for(share)
    first = metrics_pull(network="bluesky", items=[item], attempt=0)
    assert [(len(items), attempt) for items, _, attempt in first.retries] == [(1, 1)]
    assert 15 <= first.retries[0][1] <= 30
    metrics_pull(network="bluesky", items=[item], attempt=1)
    last = metrics_pull(network="bluesky", items=[item], attempt=2)
    assert last.failed == [share.id] and last.retries == []
    failure = PullFailure.objects.get(share=share)
    assert (failure.slot, failure.attempts, failure.outcome) == (item.slot, 3, "transient")
    tracked = ShareMetrics.objects.get(share=share)
    assert tracked.likes == 5, "a failed pull never lowers the totals"
    assert tracked.next_pull_at > item.slot
    assert ProviderHealth.objects.get(network="bluesky").status == ProviderHealth.Status.FAILING


def test_a_rate_limit_requeues_after_the_networks_delay_and_pauses_the_network(alice, bluesky_api, queued):
    share = make_share(user=alice)
    share_metrics_start(share=share)
    bluesky_api.route(GET_POSTS, Reply(status=429, body={}, headers={"Retry-After": "120"}))
    report = metrics_pull(network="bluesky", items=[item_for(share)], attempt=1)
    assert [(attempt, countdown) for _, countdown, attempt in report.retries] == [(1, 121)]
    health = ProviderHealth.objects.get(network="bluesky")
    assert health.status == ProviderHealth.Status.RATE_LIMITED
    assert health.paused_until > timezone.now() + timedelta(seconds=100)
    assert ShareMetrics.objects.get(share=share).leased_until > timezone.now() + timedelta(seconds=120)


def test_rejected_credentials_flag_the_provider_and_keep_the_pull_due(settings, alice, fake_api, queued):
    settings.METRICS_X_API_URL = fake_api.url
    settings.METRICS_X_BEARER_TOKEN = "expired"
    share = make_share(user=alice, network="x", url="https://x.com/alice/status/1858462091736784915")
    share_metrics_start(share=share)
    fake_api.route("/2/tweets", Reply(status=401, body={"title": "Unauthorized", "status": 401}))
    item = item_for(share)
    metrics_pull(network="x", items=[item])
    health = ProviderHealth.objects.get(network="x")
    assert health.status == ProviderHealth.Status.CREDENTIALS
    assert health.paused_until > timezone.now()
    assert ShareMetrics.objects.get(share=share).next_pull_at == item.slot
    assert queued == []


def test_a_401_from_a_public_read_is_retried_not_the_end_of_the_post(alice, bluesky_api, queued):
    share = make_share(user=alice)
    share_metrics_start(share=share)
    bluesky_api.route(GET_POSTS, Reply(status=401, body={"error": "AuthMissing", "message": "Authentication Required"}))
    item = item_for(share)
    report = metrics_pull(network="bluesky", items=[item], attempt=0)
    assert [(len(items), attempt) for items, _, attempt in report.retries] == [(1, 1)]
    tracked = ShareMetrics.objects.get(share=share)
    assert tracked.status == ShareMetrics.Status.TRACKING
    assert tracked.next_pull_at == item.slot, "the slot stays due for the retry"
    assert not PullFailure.objects.exists()

    bluesky_api.route(GET_POSTS, views_for)
    assert metrics_pull(network="bluesky", items=[item], attempt=1).recorded == [share.id]
    assert ShareMetrics.objects.get(share=share).likes == 10


def test_a_public_401_that_lasts_fails_the_slot_and_moves_on(settings, alice, fake_api, queued):
    settings.METRICS_MASTODON_INSTANCE_URLS = {"mastodon.example": fake_api.url}
    share = make_share(user=alice, network="mastodon", url="https://mastodon.example/@alice/112233445566778899")
    share_metrics_start(share=share)
    fake_api.route(
        "/api/v1/statuses/112233445566778899",
        Reply(status=401, body={"error": "This API requires an authenticated user"}),
    )
    item = item_for(share)
    for attempt in range(3):
        metrics_pull(network="mastodon", items=[item], attempt=attempt)
    tracked = ShareMetrics.objects.get(share=share)
    assert tracked.status == ShareMetrics.Status.TRACKING, "still tracked: the next slot asks again"
    assert tracked.next_pull_at > item.slot
    assert PullFailure.objects.get(share=share).outcome == "transient"


def test_a_public_403_makes_the_post_unavailable(settings, alice, fake_api, queued):
    settings.METRICS_MASTODON_INSTANCE_URLS = {"mastodon.example": fake_api.url}
    share = make_share(user=alice, network="mastodon", url="https://mastodon.example/@alice/112233445566778899")
    share_metrics_start(share=share)
    fake_api.route("/api/v1/statuses/112233445566778899", Reply(status=403, body={"error": "Forbidden"}))
    metrics_pull(network="mastodon", items=[item_for(share)])
    assert ShareMetrics.objects.get(share=share).status == ShareMetrics.Status.UNAVAILABLE


def test_a_deleted_post_keeps_its_last_totals_and_stops(alice, bluesky_api, queued):
    share = make_share(user=alice)
    tracked = share_metrics_start(share=share)
    snapshot_record(
        tracked=tracked,
        slot=tracked.published_at - timedelta(hours=1),
        metrics=Metrics(likes=7),
        taken_at=timezone.now(),
    )
    bluesky_api.route(GET_POSTS, Reply(body={"posts": []}))
    metrics_pull(network="bluesky", items=[item_for(share)])
    tracked.refresh_from_db()
    assert (tracked.status, tracked.likes, tracked.next_pull_at) == (ShareMetrics.Status.DELETED, 7, None)


def test_a_handle_is_stored_in_its_did_form_after_the_first_pull(alice, bluesky_api, queued):
    share = make_share(user=alice, url="https://bsky.app/profile/alice.bsky.social/post/3lb2tq7xhrc2k")
    share_metrics_start(share=share)
    bluesky_api.route("/xrpc/com.atproto.identity.resolveHandle", Reply(body={"did": DID}))
    bluesky_api.route(GET_POSTS, views_for)
    metrics_pull(network="bluesky", items=[item_for(share)])
    assert ShareMetrics.objects.get(share=share).post_id == f"at://{DID}/app.bsky.feed.post/3lb2tq7xhrc2k"


# --- snapshots and changes -------------------------------------------------------------------------------


def test_unknown_metrics_keep_their_last_value_and_late_snapshots_do_not_rewind(alice):
    share = make_share(user=alice)
    tracked = share_metrics_start(share=share)
    t0 = tracked.published_at
    now = timezone.now()
    snapshot_record(tracked=tracked, slot=t0, metrics=Metrics(likes=3, quotes=1), taken_at=now)
    snapshot_record(tracked=tracked, slot=t0 + timedelta(hours=2), metrics=Metrics(likes=9), taken_at=now)
    snapshot_record(tracked=tracked, slot=t0 + timedelta(hours=1), metrics=Metrics(likes=5), taken_at=now)
    tracked.refresh_from_db()
    assert (tracked.likes, tracked.quotes) == (9, 1)
    assert MetricSnapshot.objects.filter(share=share).count() == 3


def test_a_total_reached_again_is_one_change_for_the_ledger(alice):
    share = make_share(user=alice)
    tracked = share_metrics_start(share=share)
    t0, now = tracked.published_at, timezone.now()
    for hour, likes in enumerate([1, 2, 1, 2, 3]):
        snapshot_record(tracked=tracked, slot=t0 + timedelta(hours=hour), metrics=Metrics(likes=likes), taken_at=now)
    assert list(MetricChange.objects.values_list("total", flat=True)) == [1, 2, 3]


def test_a_corrected_published_url_is_followed_from_then_on(alice, queued, django_capture_on_commit_callbacks):
    share = make_share(user=alice, url=f"https://bsky.app/profile/{DID}/post/3lb2tq7xhrc2k")
    tracked = share_metrics_start(share=share)
    later = share.published_recorded_at + timedelta(hours=3)
    type(share).objects.filter(pk=share.pk).update(
        published_url=f"https://bsky.app/profile/{DID}/post/3lb2tq7xhrzzz", published_recorded_at=later
    )
    with django_capture_on_commit_callbacks(execute=True):
        pulls_schedule(now=later + timedelta(minutes=1))
    tracked.refresh_from_db()
    assert tracked.post_id.endswith("/3lb2tq7xhrzzz")
    assert tracked.published_at == later
    assert queued[0][1] == [[share.id, later.isoformat()]]


# --- Threads: read with the share owner's connected account ------------------------------------------

THREADS_URL = "https://www.threads.com/@alice.archer/post/C8aBcDeFgHi"


@pytest.fixture
def threads_api(settings, fake_api):
    from tests.metrics.conftest import fixture

    settings.METRICS_THREADS_API_URL = fake_api.url
    fake_api.route("/17841400000000001/threads", Reply(body=fixture("threads_user_threads.json")))
    fake_api.route("/18050206876707110/insights", Reply(body=fixture("threads_insights.json")))
    return fake_api


def connect_threads(person, token="ALICE-THREADS-TOKEN"):
    from connections.services import connected_account_store

    return connected_account_store(
        person=person,
        network="threads",
        handle="alice.archer",
        remote_account_id="17841400000000001",
        access_token=token,
    )


def test_a_threads_share_is_pulled_with_its_owners_connected_account(alice, threads_api, queued):
    connect_threads(alice)
    share = make_share(user=alice, network="threads", url=THREADS_URL)
    assert share_metrics_start(share=share).post_id == "C8aBcDeFgHi"
    assert metrics_pull(network="threads", items=[item_for(share)]).recorded == [share.id]
    tracked = ShareMetrics.objects.get(share=share)
    assert (tracked.impressions, tracked.likes, tracked.replies, tracked.reposts, tracked.quotes) == (1520, 48, 7, 5, 2)
    assert tracked.post_id == "18050206876707110", "the media id is kept: the next pull asks for it at once"
    assert threads_api.requests_to("/18050206876707110/insights")[0].headers["authorization"].endswith("THREADS-TOKEN")


def test_a_threads_share_without_a_connected_account_says_how_to_count_it(alice, threads_api, queued):
    share = make_share(user=alice, network="threads", url=THREADS_URL)
    share_metrics_start(share=share)
    metrics_pull(network="threads", items=[item_for(share)])
    tracked = ShareMetrics.objects.get(share=share)
    assert tracked.status == ShareMetrics.Status.UNAVAILABLE and "connect your Threads account" in tracked.last_error
    assert threads_api.requests == []


def test_a_refused_threads_token_flags_that_account_not_the_network(alice, bob, threads_api, queued):
    from connections.models import ConnectedAccount
    from tests.metrics.conftest import fixture

    account = connect_threads(alice)
    threads_api.route("/18050206876707110/insights", Reply(status=401, body=fixture("threads_token_expired.json")))
    share = make_share(user=alice, network="threads", url=THREADS_URL)
    share_metrics_start(share=share)
    metrics_pull(network="threads", items=[item_for(share)])
    assert "refused" in ConnectedAccount.objects.get(pk=account.pk).last_error
    assert ShareMetrics.objects.get(share=share).status == ShareMetrics.Status.UNAVAILABLE
    health = ProviderHealth.objects.get(network="threads")
    assert health.status != ProviderHealth.Status.CREDENTIALS and health.paused_until is None
