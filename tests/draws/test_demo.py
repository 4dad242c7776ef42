import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from draws import demo
from draws.models import Draw, Winner
from draws.selectors import draw_status, draw_verification

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_finished_verifiable_draw_and_an_open_one():
    call_command("seed_demo")
    finished, open_draw = Draw.objects.get(name=demo.FINISHED), Draw.objects.get(name=demo.OPEN)
    assert draw_status(draw=finished) == "drawn" and draw_verification(draw=finished).ok
    assert finished.entrant_count > 50
    assert Winner.objects.filter(draw=finished, removal_number=1).exists()
    assert draw_status(draw=open_draw) == "open"
    demo.seed(rng=random.Random(1), now=timezone.now(), log=lambda message: None)
    assert Draw.objects.count() == 2
