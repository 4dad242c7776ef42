import random

import pytest
from django.utils import timezone

from programme import demo
from programme.models import Goal, PulseParticipation, PulseSurvey, PulseTally, StatedAudience
from programme.pulse import pulse_results
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_seeds_goals_audiences_and_pulses_once(engineering):
    for n in range(20):
        UserFactory(username=f"demo{n}", team=engineering)
    lines = []
    demo.seed(rng=random.Random(1), now=timezone.now(), log=lines.append)
    counts = (
        Goal.objects.count(),
        StatedAudience.objects.count(),
        PulseSurvey.objects.count(),
        PulseTally.objects.count(),
    )
    assert counts[0] == 4 and counts[1] == 7 and counts[2] == 3
    assert PulseParticipation.objects.count() >= 15
    latest = PulseSurvey.objects.order_by("-opens_on").first()
    assert not pulse_results(survey=latest).hidden
    demo.seed(rng=random.Random(1), now=timezone.now(), log=lines.append)
    assert counts == (
        Goal.objects.count(),
        StatedAudience.objects.count(),
        PulseSurvey.objects.count(),
        PulseTally.objects.count(),
    )
    assert lines[-1] == "programme: 0 goals, 0 audiences, 0 pulses"
