"""Demo programme: goals for this quarter, audiences for potential reach, and three monthly pulses.

Runs after the analytics seeder (the goals' progress is read from its rollups). Idempotent:
goals and pulses are found by name and period, audiences are only filled where missing.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from advocacy.networks import Network
from advocacy.people.selectors import active_employees

from . import pulse, services
from .models import Goal, PulseSurvey, StatedAudience

DEMO_GOALS = [
    ("Adoption: 60% of employees share at least once", Goal.Measure.ADOPTION_RATE, 60),
    ("Recruiting: human clicks this quarter", Goal.Measure.HUMAN_CLICKS, 600),
    ("Awareness: impressions this quarter", Goal.Measure.IMPRESSIONS, 50_000),
    ("Engagement this quarter", Goal.Measure.ENGAGEMENT, 1_500),
]
PULSE_QUESTIONS = [
    "Our brand promise matches my day-to-day work.",
    "I am proud to share what we do.",
    "I would recommend working here to a friend.",
    "I know what our company stands for.",
]
DEMO_COMMENTS = [
    "Launch weeks are intense, but the team pulls together.",
    "I'd share more if posts had a local angle for our office.",
    "Great to see the engineering blog in the library.",
    "The brand promise and the on-call rota do not always agree.",
]


def _rng(key: str) -> random.Random:
    return random.Random(hashlib.sha256(f"programme-demo:{key}".encode()).hexdigest())


def seed(*, rng, now, log) -> None:
    today = timezone.localdate(now)
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    quarter_end = (quarter_start + timedelta(days=95)).replace(day=1) - timedelta(days=1)
    goals = 0
    for name, measure, target in DEMO_GOALS:
        if not Goal.objects.filter(name=name).exists():
            services.goal_create(
                name=name,
                measure=measure,
                target=Decimal(target),
                start=quarter_start,
                end=quarter_end,
                created_by=None,
            )
            goals += 1
    audiences = _audiences(now=now)
    pulses = _pulses(today=today)
    log(f"programme: {goals} goals, {audiences} audiences, {pulses} pulses")


def _audiences(*, now) -> int:
    """Follower counts on the demo metrics (as Mastodon and Bluesky show them) and some stated LinkedIn figures."""
    from metrics.models import ShareMetrics

    filled = 0
    missing = ShareMetrics.objects.filter(
        is_demo=True, network__in=[Network.MASTODON, Network.BLUESKY], author_followers__isnull=True
    ).values_list("pk", "share__user_id", "network")
    for pk, user_id, network in list(missing):
        followers = int(_rng(f"{user_id}:{network}").lognormvariate(5.5, 0.9))
        ShareMetrics.objects.filter(pk=pk).update(author_followers=followers)
        filled += 1
    for person in active_employees().order_by("pk")[::3]:
        if not StatedAudience.objects.filter(user=person).exists():
            connections = min(services.MAX_LINKEDIN_CONNECTIONS, int(_rng(f"li:{person.pk}").lognormvariate(6, 0.7)))
            services.stated_audience_set(user=person, linkedin_connections=connections, now=now)
            filled += 1
    return filled


def _pulses(*, today: date) -> int:
    """Three monthly pulses, the last one still open; about 60% of employees answered each."""
    people = list(active_employees().select_related("team").order_by("pk"))
    created = 0
    for months_ago in (2, 1, 0):
        first = (today.replace(day=1) - timedelta(days=31 * months_ago)).replace(day=1)
        period = first.strftime("%Y-%m")
        if PulseSurvey.objects.filter(period=period, title="Monthly pulse").exists():
            continue
        closes = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        survey = pulse.pulse_create(
            title="Monthly pulse",
            period=period,
            opens_on=first,
            closes_on=closes,
            questions=PULSE_QUESTIONS,
            created_by=None,
        )
        questions = list(survey.questions.all())
        answer_day = min(today, closes)
        for person in people:
            dice = _rng(f"{period}:{person.pk}")
            if dice.random() > 0.6:
                continue
            mood = 3.6 + 0.2 * (2 - months_ago) + dice.uniform(-1.4, 1.2)
            scores = {q.pk: max(1, min(5, round(mood + dice.uniform(-0.8, 0.8)))) for q in questions}
            comment = dice.choice(DEMO_COMMENTS) if dice.random() < 0.15 else ""
            pulse.pulse_answer(survey=survey, user=person, scores=scores, comment=comment, today=answer_day)
        created += 1
    return created
