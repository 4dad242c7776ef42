from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from advocacy.people.selectors import active_employees
from analytics.models import ShareRollup
from analytics.selectors import Filters, comms_dashboard
from content_library.models import Post
from programme.models import Goal
from programme.selectors import Pace, goals_current_progress, goals_progress, programme_digest_line
from programme.services import goal_create

pytestmark = pytest.mark.django_db

MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}


def _goal(measure, target, **extra):
    return goal_create(
        name=f"{measure} goal", measure=measure, target=Decimal(target), created_by=None, **(MARCH | extra)
    )


def test_it_agrees_with_the_comms_dashboard(program):
    goals = [_goal(measure, 1) for measure, _ in Goal.Measure.choices]
    progress = {row.goal.measure: row for row in goals_progress(goals=goals, today=date(2026, 3, 20))}
    totals = comms_dashboard(filters=Filters(**MARCH)).totals
    assert progress["shares"].actual == totals.shares > 0
    assert progress["human_clicks"].actual == totals.human_clicks > 0
    assert progress["engagement"].actual == totals.engagement
    assert progress["impressions"].actual == totals.impressions
    adoption = Decimal(100 * totals.sharers) / totals.active_employees
    assert progress["adoption_rate"].actual == adoption.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    share_rate = Decimal(totals.shares) / totals.active_employees
    assert progress["share_rate"].actual == share_rate.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def test_it_narrows_to_the_campaign_team_and_content_type(program):
    team = program.teams[0]
    culture = Post.ContentType.CULTURE
    goal = _goal("shares", 10, team=team, campaign=program.posts[0].campaign, content_type=culture)
    [row] = goals_progress(goals=[goal], today=date(2026, 3, 20))
    expected = ShareRollup.objects.filter(
        user__team=team, post__campaign=program.posts[0].campaign, post__content_type=culture
    ).count()
    assert row.actual == expected
    assert ShareRollup.objects.count() > expected
    # The adoption of one team is over that team's active employees only.
    adoption = _goal("adoption_rate", 50, team=team)
    [row] = goals_progress(goals=[adoption], today=date(2026, 3, 20))
    members = active_employees().filter(team=team).count()
    assert row.actual == Decimal(100 * (members - 1) / members).quantize(Decimal("0.1"))  # all but the first shared


def test_it_knows_nothing_rather_than_zero_when_no_network_reports_the_figure(program):
    goal = _goal("impressions", 1000, content_type="none-such")
    [row] = goals_progress(goals=[goal], today=date(2026, 3, 20))
    assert row.actual is None and row.actual_display == "–"


def test_the_pace_compares_the_figure_with_a_steady_pace(program):
    shares = ShareRollup.objects.filter(day__gte=MARCH["start"], day__lte=MARCH["end"]).count()
    # 31 days; on 16 March, 16 days are gone: a steady pace expects 16/31 of the target.
    ahead = _goal("shares", shares * 31 // 16 - 1)
    behind = _goal("shares", shares * 31 // 16 + 31)
    met = _goal("shares", shares)
    rows = {row.goal: row for row in goals_progress(goals=[ahead, behind, met], today=date(2026, 3, 16))}
    assert rows[ahead].pace == Pace.ON_TRACK and rows[ahead].actual >= rows[ahead].expected
    assert rows[behind].pace == Pace.BEHIND and rows[behind].actual < rows[behind].expected
    assert rows[behind].expected == (behind.target * 16 / 31).quantize(Decimal("0.1"))
    assert rows[met].pace == Pace.MET and rows[met].percent_of_target == 100
    [missed] = goals_progress(goals=[behind], today=date(2026, 4, 1))
    assert missed.pace == Pace.MISSED and missed.expected == behind.target
    [upcoming] = goals_progress(goals=[behind], today=date(2026, 2, 1))
    assert upcoming.pace == Pace.UPCOMING and upcoming.expected == 0


def test_it_reads_all_goals_in_a_fixed_number_of_queries(program, django_assert_num_queries):
    goals = [_goal(measure, 5) for measure, _ in Goal.Measure.choices for _ in range(2)]
    # Queries: the rollups' aggregate (a column per goal), the active employees' aggregate.
    with django_assert_num_queries(2):
        assert len(goals_progress(goals=goals, today=date(2026, 3, 20))) == 12


def test_the_digest_line_says_how_the_programme_is_doing(program):
    today = date(2026, 3, 16)
    assert programme_digest_line(today=today) == ""
    _goal("shares", 1)
    goal_create(name="Awareness", measure="impressions", target=Decimal(10**9), created_by=None, **MARCH)
    goal_create(
        name="Old",
        measure="shares",
        target=Decimal(1),
        created_by=None,
        start=today - timedelta(days=90),
        end=today - timedelta(days=60),
    )
    assert [row.goal.name for row in goals_current_progress(today=today)] == ["Awareness", "shares goal"]
    line = programme_digest_line(today=today)
    assert line.startswith("How the programme is doing: 1 of 2 current goals on track.")
    assert "Awareness:" in line and "of 1,000,000,000 (behind)." in line


def test_the_weekly_digest_carries_the_programme_line(alice, program, celery_eager, mailoutbox):
    from django.utils import timezone

    from notifications.models import Delivery
    from notifications.selectors import iso_week_key
    from notifications.tasks import send_email
    from tests.content_library.factories import PostFactory

    today = timezone.localdate()
    goal_create(name="Adoption", measure="adoption_rate", target=Decimal(60), start=today, end=today, created_by=None)
    PostFactory(title="Fresh", publish_at=timezone.now() - timedelta(hours=1))
    send_email.delay(Delivery.Kind.WEEKLY_DIGEST, iso_week_key(timezone.now()), alice.pk)
    [message] = mailoutbox
    assert "How the programme is doing: 0 of 1 current goal on track. Adoption: 0% of 60% (behind)." in message.body
    assert "How the programme is doing" in message.alternatives[0][0]
