from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from advocacy.people.models import User
from programme import pulse
from programme.models import PulseComment, PulseParticipation, PulseQuestion, PulseSurvey, PulseTally
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

QUESTIONS = [
    "Our brand promise matches my day-to-day work.",
    "I am proud to share what we do.",
    "I would recommend us.",
]


@pytest.fixture
def survey(harper):
    today = timezone.localdate()
    return pulse.pulse_create(
        title="Monthly pulse",
        period="2026-12",
        opens_on=today,
        closes_on=today + timedelta(days=7),
        questions=QUESTIONS,
        created_by=harper,
    )


def _answer(survey, user, score=4, comment=""):
    scores = {question.pk: score for question in survey.questions.all()}
    pulse.pulse_answer(survey=survey, user=user, scores=scores, comment=comment)


def test_no_stored_answer_points_at_a_person_or_a_moment():
    for model in (PulseTally, PulseComment, PulseQuestion, PulseSurvey):
        for field in model._meta.concrete_fields:
            assert not (field.is_relation and field.related_model is User and model is not PulseSurvey), field
            assert not isinstance(field, models.DateTimeField | models.TimeField), f"{model.__name__}.{field.name}"
    # The marker of who answered has no time and a random key, like the comments: nothing orders or joins them.
    for model in (PulseParticipation, PulseComment):
        assert isinstance(model._meta.pk, models.UUIDField)
        assert not any(isinstance(f, models.DateField | models.DateTimeField) for f in model._meta.concrete_fields)
    participation_columns = {f.column for f in PulseParticipation._meta.concrete_fields}
    assert participation_columns == {"id", "survey_id", "user_id"}
    assert {f.column for f in PulseComment._meta.concrete_fields} == {"id", "survey_id", "text"}
    assert {f.column for f in PulseTally._meta.concrete_fields} == {"id", "question_id", "team_id", "score", "count"}


def test_an_answer_becomes_counts_a_marker_and_a_loose_comment(survey, alice):
    _answer(survey, alice, score=2, comment="More flexible hours please")
    assert PulseParticipation.objects.get().user == alice
    assert sorted(PulseTally.objects.values_list("score", "count", "team_id")) == [(2, 1, alice.team_id)] * 3
    assert list(PulseComment.objects.values_list("text", flat=True)) == ["More flexible hours please"]
    with pytest.raises(pulse.AlreadyAnswered):
        _answer(survey, alice, score=5)
    assert sorted(PulseTally.objects.values_list("count", flat=True)) == [1, 1, 1]


def test_it_refuses_incomplete_or_out_of_scale_answers_and_saves_nothing(survey, alice):
    first = survey.questions.first()
    with pytest.raises(ValidationError):
        pulse.pulse_answer(survey=survey, user=alice, scores={first.pk: 3})
    with pytest.raises(ValidationError):
        pulse.pulse_answer(survey=survey, user=alice, scores={q.pk: 6 for q in survey.questions.all()})
    assert not PulseParticipation.objects.exists() and not PulseTally.objects.exists()


def test_a_pulse_needs_3_to_5_questions(harper):
    with pytest.raises(ValidationError) as error:
        pulse.pulse_create(
            title="Too short",
            period="x",
            opens_on=date(2026, 1, 1),
            closes_on=date(2026, 1, 2),
            questions=["One?", "Two?"],
            created_by=harper,
        )
    assert "Ask 3 to 5 questions" in str(error.value)


def test_results_appear_only_from_5_respondents_overall_and_per_team(survey, engineering, sales):
    people = [UserFactory(username=f"eng{n}", team=engineering) for n in range(4)]
    for person in people:
        _answer(survey, person, score=5, comment=f"note {person.username}")
    results = pulse.pulse_results(survey=survey)
    assert results.hidden and results.questions == [] and results.comments == []
    _answer(survey, UserFactory(username="sales0", team=sales), score=1)
    results = pulse.pulse_results(survey=survey)
    assert not results.hidden and results.respondents == 5
    assert results.questions[0].average == Decimal("4.2")
    assert len(results.comments) == 4
    teams = {row.name: row for row in results.teams}
    assert teams["Engineering"].hidden and teams["Engineering"].average is None  # 4 respondents
    assert teams["Sales"].hidden and teams["Sales"].average is None  # 1 respondent
    _answer(survey, UserFactory(username="eng4", team=engineering), score=3)
    teams = {row.name: row for row in pulse.pulse_results(survey=survey).teams}
    assert not teams["Engineering"].hidden and teams["Engineering"].average == Decimal("4.6")


def test_the_trend_hides_small_pulses(survey, engineering):
    for n in range(5):
        _answer(survey, UserFactory(username=f"t{n}", team=engineering), score=n + 1)
    older = pulse.pulse_create(
        title="Last month",
        period="2026-11",
        opens_on=date(2026, 11, 1),
        closes_on=date(2026, 11, 30),
        questions=QUESTIONS,
        created_by=None,
    )
    trend = pulse.pulse_trend()
    assert [(p.survey, p.respondents, p.average) for p in trend] == [(older, 0, None), (survey, 5, 3)]


def test_employees_answer_once_in_the_browser_form(client, alice, survey):
    client.force_login(alice)
    page = client.get(reverse("programme:pulse_take"))
    assert QUESTIONS[0] in page.content.decode()
    data = {f"q{q.pk}": "4" for q in survey.questions.all()} | {"comment": ""}
    assert (
        client.post(reverse("programme:pulse_take"), data | {f"q{survey.questions.first().pk}": "9"}).status_code == 400
    )
    assert client.post(reverse("programme:pulse_take"), data).status_code == 302
    assert 'id="pulse-none"' in client.get(reverse("programme:pulse_take")).content.decode()
    assert PulseParticipation.objects.filter(user=alice).count() == 1


def test_hr_run_a_pulse_and_see_it_hidden_until_the_threshold(client, harper):
    client.force_login(harper)
    today = timezone.localdate()
    response = client.post(
        reverse("programme:pulse_manage"),
        {"title": "Pulse", "period": "2026-12", "opens_on": today, "closes_on": today, "questions": "A\nB"},
    )
    assert response.status_code == 400 and "Ask 3 to 5 questions" in response.content.decode()
    response = client.post(
        reverse("programme:pulse_manage"),
        {
            "title": "Pulse",
            "period": "2026-12",
            "opens_on": today,
            "closes_on": today,
            "questions": "\n".join(QUESTIONS),
        },
    )
    survey = PulseSurvey.objects.get()
    assert response.status_code == 302
    assert (
        'id="pulse-hidden"'
        in client.get(reverse("programme:pulse_results", kwargs={"survey_id": survey.pk})).content.decode()
    )


# Queries: session, user, the user's and group permissions, the Library nav badge,
# survey, questions, respondents, tallies, comments, advocacy participation per team.
@pytest.mark.parametrize("size", [1, 3])
def test_the_results_page_query_count_does_not_grow(
    client, casey, survey, engineering, django_assert_num_queries, size
):
    for n in range(5 * size):
        _answer(survey, UserFactory(username=f"q{n}", team=engineering), score=1 + n % 5, comment=f"c{n}")
    client.force_login(casey)
    # +1: the organisation's branding that every page's header reads (cached after the first page).
    with django_assert_num_queries(12):
        response = client.get(reverse("programme:pulse_results", kwargs={"survey_id": survey.pk}))
    assert response.status_code == 200 and 'id="pulse-questions"' in response.content.decode()


# Queries: session, user, the user's and group permissions, the Library nav badge, surveys, respondents, totals.
@pytest.mark.parametrize("size", [1, 3])
def test_the_pulse_list_query_count_does_not_grow(client, harper, django_assert_num_queries, size):
    for n in range(2 * size):
        pulse.pulse_create(
            title=f"P{n}",
            period=f"2026-{n + 1:02d}",
            opens_on=date(2026, 1, 1),
            closes_on=date(2026, 1, 2),
            questions=QUESTIONS,
            created_by=None,
        )
    client.force_login(harper)
    # +1: the organisation's branding that every page's header reads (cached after the first page).
    with django_assert_num_queries(9):
        assert client.get(reverse("programme:pulse_manage")).status_code == 200
