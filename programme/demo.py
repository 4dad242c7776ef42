"""Demo programme: goals for this quarter, audiences for potential reach, three monthly pulses, and
ambassadors (invitations with their answers, a cohort, a beta campaign, preview feedback, Insiders).

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
    log("programme ambassadors: " + _ambassadors(now=now))


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


COHORT = "2027 Insiders"
BIOS = [
    "Backend engineer in Lyon; I share what we ship and why it matters to the people who use it.",
    "I look after customers in the Nordics and love telling the stories behind their wins.",
    "Recruiter by day, runner by night: ask me what it is like to work here.",
]
FEEDBACK = [
    ("ambassador", "Could the caption mention the Lyon office? People there will share it more."),
    ("comms", "Good idea: added a Lyon line to the LinkedIn caption."),
    ("ambassador", "The image crops the logo on X; the square one works better."),
]


def _ambassadors(*, now) -> str:
    """Ten invitations to the ranked candidates (answers spread over the last weeks), a cohort with a
    beta campaign, feedback on upcoming posts and three Insiders. Skipped when the cohort exists."""
    from advocacy.people.models import User
    from content_library.models import Post
    from content_library.services import campaign_create, post_create, post_transition
    from sharing.models import Share

    from . import ambassadorship, insiders, preview
    from .ambassadors import ambassador_candidates
    from .models import Cohort

    if Cohort.objects.filter(name=COHORT).exists():
        return "already seeded"
    comms = User.objects.filter(username="comms").first()
    demo_employee = User.objects.filter(username="employee", is_active=True).first()
    people = [User.objects.get(pk=c.user_id) for c in ambassador_candidates(today=timezone.localdate(now), limit=10)]
    if demo_employee is not None and demo_employee not in people:
        people.insert(0, demo_employee)
    people += [p for p in active_employees().order_by("pk")[:12] if p not in people]
    people = [p for p in people if p != comms][:10]
    # Most accept, one declines, one joins and later leaves, two have not answered yet.
    answers = ["accept"] * 6 + ["decline", "leave", "pending", "pending"]
    accepted = []
    for index, (person, answer) in enumerate(zip(people, answers)):
        invited_at = now - timedelta(days=30 - 2 * index, hours=3)
        ambassadorship.ambassador_invite(
            user=person, invited_by=comms, message="You share our news better than anyone.", now=invited_at
        )
        if answer == "pending":
            continue
        answered_at = invited_at + timedelta(days=1, hours=index)
        if answer == "decline":
            ambassadorship.invitation_decline(user=person, now=answered_at)
            continue
        ambassadorship.invitation_accept(user=person, now=answered_at)
        if answer == "leave":
            ambassadorship.ambassador_leave(user=person, now=answered_at + timedelta(days=6))
        else:
            accepted.append(person)
    cohort = ambassadorship.cohort_create(
        name=COHORT, description="Our first ambassadors: they preview posts and try campaigns first.", created_by=comms
    )
    for index, person in enumerate(accepted):
        ambassadorship.cohort_add(cohort=cohort, user=person, now=now - timedelta(days=10 - index))
    beta = ""
    if comms is not None:
        campaign = campaign_create(
            actor=comms, name="New offices 2027", hashtag="#NewOffices", description="A first look at our new offices."
        )
        post = post_create(
            actor=comms,
            title="A first look at our new Lyon office",
            body="Our new Lyon office opens next spring: light, quiet rooms and a roof terrace. "
            "Ambassadors see it first.",
            destination_url="https://example.com/news/lyon-office",
            campaign=campaign,
            suggested_caption="A first look at our new Lyon office.",
            # Live in two days, for the cohort only until a week later. Not live yet, so the
            # sharing seeder, run again, finds nothing new to share (seeding stays idempotent).
            publish_at=now + timedelta(days=2),
        )
        post_transition(post=post, to_status=Post.Status.SUBMITTED, actor=comms)
        post_transition(post=post, to_status=Post.Status.APPROVED, actor=comms, note="Beta for the Insiders.")
        ambassadorship.beta_group_set(
            campaign=campaign, cohort=cohort, opens_to_everyone_at=now + timedelta(days=9), created_by=comms
        )
        beta = ", 1 beta campaign"
    feedback = 0
    upcoming = list(preview.upcoming_posts_for(user=comms)[:2]) if comms is not None and accepted else []
    for post_index, post in enumerate(upcoming):
        for index, (who, text) in enumerate(FEEDBACK[: 3 - post_index]):
            author = comms if who == "comms" else accepted[(post_index + index) % len(accepted)]
            preview.feedback_add(post=post, author=author, text=text, now=now - timedelta(hours=20 - 3 * index))
            feedback += 1
    insiders.insiders_page_set(enabled=True, changed_by=comms, now=now - timedelta(days=5))
    for index, person in enumerate(accepted[:3]):
        insiders.insider_feature(user=person, featured_by=comms, now=now - timedelta(days=5))
        if index == 2:
            continue  # asked, has not agreed yet
        shares = list(Share.objects.filter(user=person, post__status="approved").order_by("-human_clicks", "pk")[:3])
        insiders.insider_profile_save(
            user=person,
            bio=BIOS[index],
            share_ids=[share.pk for share in shares],
            consent=True,
            now=now - timedelta(days=4 - index),
        )
    return (
        f"{len(people)} invitations, {len(accepted)} ambassadors in {COHORT}{beta}, {feedback} feedback comments, "
        f"{min(2, len(accepted))} insiders"
    )
