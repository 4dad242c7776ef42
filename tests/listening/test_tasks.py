"""The beat job queues one collection per term; a collection takes the term's id and is safe to repeat."""

import pytest
from django.conf import settings
from django.utils import timezone

from listening import tasks
from listening.models import Mention, MentionDay

from .conftest import make_term

pytestmark = pytest.mark.django_db


def test_beat_runs_the_collections_every_interval():
    entry = settings.CELERY_BEAT_SCHEDULE["listening-queue-collections"]
    assert entry["task"] == "listening.queue_collections"
    assert entry["schedule"].total_seconds() == settings.LISTENING_INTERVAL_MINUTES * 60


def test_it_collects_every_term_and_running_it_twice_counts_nothing_twice(casey, fake_networks, celery_eager):
    make_term(casey)
    make_term(casey, "#Acme")
    fake_networks.skeet(handle="robin.bsky.social", text="#LaunchWeek at #Acme", when=timezone.now())
    assert tasks.queue_collections.delay().get() == 2
    assert tasks.queue_collections.delay().get() == 2
    assert Mention.objects.count() == 1
    assert sorted(MentionDay.objects.values_list("term__value", "mentions")) == [("#Acme", 1), ("#LaunchWeek", 1)]


def test_a_term_removed_before_its_task_ran_is_a_no_op(casey):
    term = make_term(casey)
    term_id = term.pk
    term.delete()
    assert tasks.collect_mentions(term_id) == {"new": 0, "errors": ["no such term"]}


def test_a_failing_network_does_not_fail_the_task(casey, fake_networks):
    from tests.metrics.conftest import Reply

    term = make_term(casey)
    fake_networks.fail("bluesky", Reply(status=502, body="Bad gateway"))
    result = tasks.collect_mentions(term.pk)
    assert result["new"] == 0 and "HTTP 502" in result["errors"][0]
