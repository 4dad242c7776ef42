"""The employee pulse: writes and reads, kept apart from the rest of the programme because of one rule.

Answers are never linked to a person, in storage or in exports:

- scores are stored only as counts per (question, team, score) (``PulseTally``), so there is
  no answer row to link; comments have a random key and no time or team (``PulseComment``);
- "has answered" (``PulseParticipation``) has a random key and no time either, so neither
  a key, an insertion order nor a timestamp joins it to a tally or a comment;
- results, per team or overall, and comments are shown only for groups of at least
  ``MIN_GROUP_SIZE`` respondents (the dashboards' rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext

from analytics.selectors import MIN_GROUP_SIZE, Filters, group_too_small, participation_by_team

from .models import PulseComment, PulseParticipation, PulseQuestion, PulseSurvey, PulseTally

MIN_QUESTIONS, MAX_QUESTIONS = 3, 5
SCORES = range(1, 6)
MAX_COMMENT = 1000


class AlreadyAnswered(Exception):
    pass


# --- writes ----------------------------------------------------------------------------------


@transaction.atomic
def pulse_create(
    *, title: str, period: str, opens_on: date, closes_on: date, questions: list[str], created_by
) -> PulseSurvey:
    """A survey with 3 to 5 questions, open from ``opens_on`` to ``closes_on`` (both included)."""
    questions = [text.strip() for text in questions if text.strip()]
    errors = {}
    if not MIN_QUESTIONS <= len(questions) <= MAX_QUESTIONS:
        errors["questions"] = (
            f"Ask {MIN_QUESTIONS} to {MAX_QUESTIONS} questions, one a line (you wrote {len(questions)})."
        )
    elif any(len(text) > 200 for text in questions):
        errors["questions"] = "Keep each question under 200 characters."
    if closes_on < opens_on:
        errors["closes_on"] = gettext("The survey must close on or after the day it opens.")
    if errors:
        raise ValidationError(errors)
    survey = PulseSurvey.objects.create(
        title=title, period=period, opens_on=opens_on, closes_on=closes_on, created_by=created_by
    )
    PulseQuestion.objects.bulk_create(
        [PulseQuestion(survey=survey, position=n, text=text) for n, text in enumerate(questions, start=1)]
    )
    return survey


@transaction.atomic
def pulse_answer(*, survey: PulseSurvey, user, scores: dict[int, int], comment: str = "", today=None) -> None:
    """Record one person's answers anonymously: a marker that they answered, counts, and the comment apart.

    Every question needs a score from 1 to 5; a second answer raises AlreadyAnswered and
    changes nothing.
    """
    today = today or timezone.localdate()
    if not survey.opens_on <= today <= survey.closes_on:
        raise ValidationError(gettext("This pulse is not open."))
    questions = list(survey.questions.all())
    if sorted(scores) != sorted(question.pk for question in questions) or any(
        score not in SCORES for score in scores.values()
    ):
        raise ValidationError(gettext("Give every statement a score from 1 to 5."))
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError(gettext("Keep the comment under %(limit)s characters.") % {"limit": MAX_COMMENT})
    try:
        with transaction.atomic():
            PulseParticipation.objects.create(survey=survey, user=user)
    except IntegrityError:
        raise AlreadyAnswered from None
    for question in questions:
        tally, _ = PulseTally.objects.get_or_create(question=question, team_id=user.team_id, score=scores[question.pk])
        PulseTally.objects.filter(pk=tally.pk).update(count=F("count") + 1)
    if comment:
        PulseComment.objects.create(survey=survey, text=comment)


# --- reads -----------------------------------------------------------------------------------


def pulse_list():
    return PulseSurvey.objects.order_by("-opens_on", "-pk")


def pulse_open_for(*, user, today=None) -> PulseSurvey | None:
    """The open survey this person has not answered yet (the most recent), with its questions."""
    today = today or timezone.localdate()
    return (
        PulseSurvey.objects.filter(opens_on__lte=today, closes_on__gte=today)
        .exclude(participations__user=user)
        .prefetch_related("questions")
        .order_by("-opens_on", "-pk")
        .first()
    )


def pulse_answered(*, survey: PulseSurvey, user) -> bool:
    return PulseParticipation.objects.filter(survey=survey, user=user).exists()


def _average(total: int, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class QuestionResult:
    question: PulseQuestion
    distribution: dict[int, int]

    @property
    def respondents(self) -> int:
        return sum(self.distribution.values())

    @property
    def average(self) -> Decimal | None:
        return _average(sum(score * n for score, n in self.distribution.items()), self.respondents)

    @property
    def bars(self) -> list[tuple[int, int]]:
        return [(score, self.distribution.get(score, 0)) for score in SCORES]


@dataclass
class TeamRow:
    team_id: int | None
    name: str
    members: int
    sharers: int  # advocacy: active employees who shared in the survey's period
    respondents: int
    average: Decimal | None

    @property
    def hidden(self) -> bool:
        return group_too_small(members=self.respondents)

    @property
    def adoption_percent(self) -> int:
        return round(100 * self.sharers / self.members) if self.members else 0

    @property
    def response_percent(self) -> int:
        return round(100 * self.respondents / self.members) if self.members else 0


@dataclass
class PulseResults:
    survey: PulseSurvey
    respondents: int
    questions: list[QuestionResult] = field(default_factory=list)
    teams: list[TeamRow] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    min_group_size: int = MIN_GROUP_SIZE

    @property
    def hidden(self) -> bool:
        return group_too_small(members=self.respondents)


def pulse_results(*, survey: PulseSurvey) -> PulseResults:
    """Results of one survey: 5 queries (questions, respondents, tallies, comments, advocacy participation).

    Nothing but the respondent count is given for fewer than MIN_GROUP_SIZE respondents; a
    team's row keeps its advocacy figures but withholds its pulse figures below the threshold.
    """
    questions = list(survey.questions.all())
    respondents = survey.participations.count()
    results = PulseResults(survey=survey, respondents=respondents)
    if results.hidden:
        return results
    tallies = list(
        PulseTally.objects.filter(question__survey=survey).values("question_id", "team_id", "score", "count")
    )
    for question in questions:
        distribution: dict[int, int] = {}
        for row in tallies:
            if row["question_id"] == question.pk:
                distribution[row["score"]] = distribution.get(row["score"], 0) + row["count"]
        results.questions.append(QuestionResult(question=question, distribution=distribution))
    first = questions[0].pk if questions else None
    per_team: dict[int | None, list[int]] = {}  # team -> [respondents, score total over all questions, answers]
    for row in tallies:
        entry = per_team.setdefault(row["team_id"], [0, 0, 0])
        if row["question_id"] == first:
            entry[0] += row["count"]
        entry[1] += row["score"] * row["count"]
        entry[2] += row["count"]
    for row in participation_by_team(filters=Filters(start=survey.opens_on, end=survey.closes_on)):
        count, total, answers = per_team.get(row.team_id, [0, 0, 0])
        results.teams.append(
            TeamRow(
                team_id=row.team_id,
                name=row.name,
                members=row.members,
                sharers=row.sharers,
                respondents=count,
                average=_average(total, answers) if not group_too_small(members=count) else None,
            )
        )
    # Sorted by text, not by key or storage order, so the page adds no order to what is stored.
    results.comments = sorted(PulseComment.objects.filter(survey=survey).values_list("text", flat=True))
    return results


@dataclass
class TrendPoint:
    survey: PulseSurvey
    respondents: int
    average: Decimal | None  # over every question; None below the group threshold


def pulse_trend(*, limit: int = 12) -> list[TrendPoint]:
    """The overall average of the latest surveys, oldest first: 3 queries (surveys, respondents, score totals)."""
    from django.db.models import Count

    surveys = list(pulse_list()[:limit])
    ids = [survey.pk for survey in surveys]
    respondents = dict(
        PulseParticipation.objects.filter(survey_id__in=ids)
        .values("survey_id")
        .annotate(n=Count("pk"))
        .values_list("survey_id", "n")
    )
    totals = {
        row["question__survey_id"]: row
        for row in PulseTally.objects.filter(question__survey_id__in=ids)
        .values("question__survey_id")
        .annotate(total=Sum(F("score") * F("count")), answers=Sum("count"))
    }
    points = []
    for survey in reversed(surveys):
        count = respondents.get(survey.pk, 0)
        row = totals.get(survey.pk, {"total": 0, "answers": 0})
        average = None if group_too_small(members=count) else _average(row["total"] or 0, row["answers"] or 0)
        points.append(TrendPoint(survey=survey, respondents=count, average=average))
    return points
