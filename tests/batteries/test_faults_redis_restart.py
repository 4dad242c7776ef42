"""Faults battery: Redis is SIGKILLed and restarted while links are clicked and tasks are queued.

The Redis is this test's own (an append-only file synced on every write, as a production
Redis holding the click stream must be configured). A background thread restarts it at
seeded random moments while the main thread clicks through the Django test client.
"""

import base64
import json
import random
import threading

import pytest
import redis
from django.test import Client

from advocacy.celery import app
from leaderboard.models import PointEvent
from leaderboard.tasks import award_share
from sharing import clickstream, services, views
from sharing.models import Click, Share
from tests.sharing.conftest import HUMAN_UA, make_post, make_share

from .conftest import FAULTS_FULL

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.django_db]

SEED = 20261010
CLICKS = 10_000
TASKS = 10_000
SHARES = 40
RESTARTS = 5


class Restarter(threading.Thread):
    """Restarts the server RESTARTS times at seeded random moments until stopped."""

    def __init__(self, server, *, rng: random.Random, spread: float):
        super().__init__(daemon=True)
        self.server, self.delays = server, [rng.uniform(0.2, spread) for _ in range(RESTARTS)]
        self.stopping = threading.Event()

    def run(self):
        for delay in self.delays:
            if self.stopping.wait(delay):
                return
            self.server.restart()

    def stop(self):
        self.stopping.set()
        self.join(30)


@pytest.fixture
def on_faults_redis(settings, faults_redis):
    settings.REDIS_URL = faults_redis.url()
    clickstream.reset_state()
    yield faults_redis
    clickstream.reset_state()


@pytest.fixture
def shares(alice, bob, casey):
    people = [alice, bob, casey]
    return [
        make_share(user=people[index % 3], post=make_post(slug=f"faults-{index}"), code=f"Flt{index:06d}")
        for index in range(SHARES)
    ]


def test_no_click_is_lost_and_every_redirect_answers_while_redis_restarts(on_faults_redis, shares, monkeypatch):
    rng = random.Random(SEED)
    fallback_writes = []
    record = views.click_record
    monkeypatch.setattr(views, "click_record", lambda **kwargs: fallback_writes.append(1) or record(**kwargs))
    client = Client()
    statuses: dict[int, int] = {}
    restarter = Restarter(on_faults_redis, rng=rng, spread=3.0)
    restarter.start()
    try:
        for number in range(CLICKS):
            share = shares[rng.randrange(SHARES)]
            # A different visitor each time: every click is an honest, countable human click.
            ip = f"10.{number // 65536}.{number // 256 % 256}.{number % 256}"
            response = client.get(f"/s/{share.code}", HTTP_USER_AGENT=HUMAN_UA, REMOTE_ADDR=ip)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if number % 1000 == 999:
                services.clicks_drain(min_idle_ms=0)  # a drain now and then, Redis up or not
    finally:
        restarter.stop()
    assert on_faults_redis.restarts == RESTARTS
    assert statuses == {302: CLICKS}
    clickstream.reset_state()
    while services.clicks_drain(min_idle_ms=0):
        pass
    assert sum(Share.objects.values_list("human_clicks", flat=True)) == CLICKS
    assert Click.objects.filter(kind=Click.Kind.HUMAN).count() == CLICKS
    assert Click.objects.filter(tallied=False).count() == 0
    print(f"\n{CLICKS} clicks, {RESTARTS} Redis restarts, {len(fallback_writes)} written by the database fallback")


def test_tasks_queued_across_restarts_all_arrive_and_running_duplicates_changes_nothing(on_faults_redis, shares):
    rng = random.Random(SEED)
    broker = on_faults_redis.url()
    restarter = Restarter(on_faults_redis, rng=rng, spread=1.5)
    retry = {"max_retries": 100, "interval_start": 0.05, "interval_step": 0.05, "interval_max": 0.3}
    share_ids = [share.pk for share in shares]
    queued = [share_ids[rng.randrange(SHARES)] for _ in range(TASKS)]
    restarter.start()
    try:
        with app.connection_for_write(broker) as connection:
            for share_id in queued:
                award_share.apply_async((share_id,), connection=connection, retry=True, retry_policy=retry)
    finally:
        restarter.stop()
    assert on_faults_redis.restarts == RESTARTS
    raw = redis.Redis.from_url(broker).lrange("celery", 0, -1)
    messages = [json.loads(item) for item in raw]
    # A publish cut off after Redis stored it is sent again: at least every task, maybe a few twice.
    ids = [message["headers"]["id"] for message in messages]
    assert len(messages) >= TASKS
    assert len(set(ids)) >= TASKS
    # Run every message, duplicates included (a sample in the default run; all with BATTERY_FULL=1).
    to_run = messages if FAULTS_FULL else random.Random(SEED).sample(messages, 300) + messages[:100] * 2
    ran = set()
    for message in to_run:
        assert message["headers"]["task"] == "leaderboard.award_share"
        args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
        award_share.apply(args=args, kwargs=kwargs)
        ran.add(args[0])
    share_events = PointEvent.objects.filter(kind=PointEvent.Kind.SHARE)
    assert share_events.count() == len(ran)
    assert set(share_events.values_list("share_ref", flat=True)) == ran
    print(
        f"\n{TASKS} tasks, {RESTARTS} Redis restarts: {len(messages)} messages on the queue "
        f"({len(ids) - len(set(ids))} published twice); ran {len(to_run)}, "
        f"{share_events.count()} share awards for {len(ran)} distinct shares"
    )
