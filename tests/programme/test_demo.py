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
    assert lines[-2:] == ["programme: 0 goals, 0 audiences, 0 pulses", "programme ambassadors: already seeded"]


def test_it_seeds_invitations_a_cohort_a_beta_campaign_feedback_and_insiders(engineering, casey):
    from datetime import timedelta

    from content_library.models import Post
    from programme import insiders
    from programme.models import AmbassadorInvitation, BetaGroup, Cohort, PostFeedback

    casey.username = "comms"
    casey.save()
    for n in range(12):
        UserFactory(username=f"demo{n}", team=engineering)
    Post.objects.create(title="Soon", slug="soon", status="approved", publish_at=timezone.now() + timedelta(days=3))
    lines = []
    demo.seed(rng=random.Random(1), now=timezone.now(), log=lines.append)
    statuses = sorted(AmbassadorInvitation.objects.values_list("status", flat=True))
    assert statuses == ["accepted"] * 6 + ["declined", "invited", "invited", "left"]
    cohort = Cohort.objects.get(name="2027 Insiders")
    assert cohort.members.count() == 6
    assert BetaGroup.objects.get().cohort == cohort
    assert PostFeedback.objects.count() == 5  # 3 on the soonest upcoming post, 2 on the next
    assert insiders.insiders_page_enabled() and len(insiders.insiders_on_page()) == 2
    assert lines[-1].startswith("programme ambassadors: 10 invitations, 6 ambassadors in 2027 Insiders")
