import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from challenges import demo
from challenges.models import Challenge, Entry
from challenges.selectors import challenge_board, challenge_is_open

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_finished_and_an_open_challenge_with_entries():
    call_command("seed_demo")
    finished = Challenge.objects.get(title=demo.FINISHED[0])
    running = Challenge.objects.get(title=demo.OPEN[0])
    assert finished.status == Challenge.Status.CLOSED and not challenge_is_open(challenge=finished)
    assert challenge_is_open(challenge=running)
    assert finished.entries.count() >= 4 and running.entries.count() >= 4
    assert all(demo_entry.share_id for demo_entry in Entry.objects.all())
    assert Entry.objects.filter(challenge=finished, promotion=Entry.Promotion.PROMOTED).count() == 1
    assert challenge_board(challenge=finished)[0].score > 0
    count = Entry.objects.count()
    demo.seed(rng=random.Random(1), now=timezone.now(), log=lambda message: None)
    assert Entry.objects.count() == count and Challenge.objects.count() == 2
