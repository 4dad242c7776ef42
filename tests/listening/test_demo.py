"""Demo mentions come from answers in the networks' formats, through the collector's own parsers and store."""

import random

import pytest
from django.utils import timezone

from listening import demo
from listening.models import Mention, MentionDay, Term
from tests.challenges.conftest import make_challenge

pytestmark = pytest.mark.django_db


def test_it_fills_each_challenge_hashtag_with_mentions_some_by_employees_and_is_idempotent(casey, alice, bob):
    alice.bluesky_handle = "alice.bsky.social"
    alice.save()
    bob.mastodon_handle = "@bob@mastodon.example"
    bob.save()
    make_challenge(casey)
    make_challenge(casey, title="Wellness week", hashtag="#WellnessWeek", open_it=False, days_before=30, days_after=-24)
    lines = []
    demo.seed(rng=random.Random(3), now=timezone.now(), log=lines.append)
    assert sorted(Term.objects.values_list("value", flat=True)) == ["#LaunchWeek", "#WellnessWeek"]
    for term in Term.objects.all():
        assert term.mentions.count() >= 14
        assert sum(MentionDay.objects.filter(term=term).values_list("mentions", flat=True)) == term.mentions.count()
    assert set(Mention.objects.values_list("network", flat=True)) == {"bluesky", "mastodon"}
    assert Mention.objects.filter(employee__isnull=False).exists()
    assert not Mention.objects.filter(is_demo=False).exists()
    by_employees = Mention.objects.filter(employee__isnull=False).count()
    assert f"{by_employees} by employees" in lines[0]
    count = Mention.objects.count()
    demo.seed(rng=random.Random(4), now=timezone.now(), log=lines.append)
    assert Mention.objects.count() == count


def test_the_demo_answers_are_in_the_documented_shapes():
    now = timezone.now()
    answer = demo.bluesky_search_answer([("Robin", "robin.bsky.social", "#LaunchWeek", now)])
    view = answer["posts"][0]
    assert {"uri", "cid", "author", "record", "indexedAt"} <= set(view)
    assert set(view["author"]) == {"did", "handle", "displayName"} and {"text", "createdAt"} <= set(view["record"])
    status = demo.mastodon_tag_answer([("Robin", "robin", "#LaunchWeek", now)])[0]
    assert {"id", "created_at", "url", "content"} <= set(status)
    assert {"acct", "username", "url"} <= set(status["account"])
