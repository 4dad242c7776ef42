"""Every dashboard figure against a direct computation over the rows the test created."""

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import pytest

from analytics import selectors
from analytics.selectors import Filters
from tests.analytics.conftest import START

pytestmark = pytest.mark.django_db

WHOLE = Filters(start=date(2026, 3, 2), end=date(2026, 3, 11))
FIRST_THREE_DAYS = Filters(start=date(2026, 3, 2), end=date(2026, 3, 4))


def _in(program, filters):
    return [s for s in program.shares if filters.start_at <= s.created_at < filters.end_before]


def _metric(program, share, name):
    m = program.metrics.get(share.pk)
    value = getattr(m, name) if m else None
    return value or 0


@pytest.mark.parametrize("filters", [WHOLE, FIRST_THREE_DAYS])
def test_it_counts_headline_figures_like_a_direct_computation(program, filters, settings):
    settings.ANALYTICS_CPM, settings.ANALYTICS_CPC = 12.5, 0.8
    shares = _in(program, filters)
    dashboard = selectors.comms_dashboard(filters=filters)
    t = dashboard.totals

    assert t.active_employees == len(program.users)
    sharers = {s.user_id for s in shares}
    assert t.sharers == len(sharers)
    assert t.adoption_percent == round(100 * len(sharers) / len(program.users))
    assert t.shares == len(shares)
    assert t.human_clicks == sum(s.human_clicks for s in shares)
    assert t.likes == sum(_metric(program, s, "likes") for s in shares)
    assert t.reposts == sum(_metric(program, s, "reposts") for s in shares)
    assert t.replies == sum(_metric(program, s, "replies") for s in shares)
    assert t.engagement == t.likes + t.reposts + t.replies
    impressions = [program.metrics[s.pk].impressions for s in shares if s.pk in program.metrics]
    assert t.impressions == sum(i for i in impressions if i is not None)
    assert t.impressions_known == sum(1 for i in impressions if i is not None)
    expected = Decimal(t.impressions) / 1000 * Decimal("12.5") + t.human_clicks * Decimal("0.8")
    assert t.earned_media_value == expected.quantize(Decimal("0.01"))


def test_it_counts_participation_per_team_and_hides_small_teams(program):
    rows = {row.name: row for row in selectors.participation_by_team(filters=WHOLE)}
    sharers = {s.user_id for s in program.shares}
    for team in program.teams:
        members = [u for u in program.users if u.team_id == team.pk]
        assert rows[team.name].members == len(members)
        assert rows[team.name].sharers == len([u for u in members if u.pk in sharers])
    assert rows["Analytics team 2"].hidden  # 3 people
    assert not rows["Analytics team 0"].hidden


def test_it_leaves_out_deactivated_people_and_people_outside_the_employee_role(program, dan):
    rows = selectors.participation_by_team(filters=WHOLE)
    assert sum(row.members for row in rows) == len(program.users)


def test_it_hides_everything_for_a_team_smaller_than_five(program):
    small = Filters(start=WHOLE.start, end=WHOLE.end, team=program.teams[2])
    dashboard = selectors.comms_dashboard(filters=small)
    assert dashboard.hidden
    assert dashboard.totals is None and dashboard.top_posts == []


def test_the_team_too_small_rule_is_one_selector(program, settings):
    small = Filters(start=WHOLE.start, end=WHOLE.end, team=program.teams[2])  # 3 people
    big = Filters(start=WHOLE.start, end=WHOLE.end, team=program.teams[0])
    assert selectors.team_too_small(filters=small)
    assert not selectors.team_too_small(filters=big)
    assert not selectors.team_too_small(filters=WHOLE)  # no team chosen: the whole company shows
    assert selectors.group_too_small(members=selectors.MIN_GROUP_SIZE - 1)
    assert not selectors.group_too_small(members=selectors.MIN_GROUP_SIZE)


def test_the_hr_acknowledgement_rows_say_which_teams_are_hidden(program):
    from tests.guidelines.factories import make_policy

    make_policy()
    rows = {rate.team.name if rate.team else None: hidden for rate, hidden in selectors.acknowledgement_rates()["rows"]}
    assert rows["Analytics team 2"] is True
    assert rows["Analytics team 0"] is False


def test_it_filters_by_team(program):
    team = program.teams[1]
    dashboard = selectors.comms_dashboard(filters=Filters(start=WHOLE.start, end=WHOLE.end, team=team))
    members = {u.pk for u in program.users if u.team_id == team.pk}
    shares = [s for s in program.shares if s.user_id in members]
    assert dashboard.totals.shares == len(shares)
    assert dashboard.totals.active_employees == len(members)
    assert [row.name for row in dashboard.participation] == [team.name]


def test_it_ranks_posts_networks_content_types_campaigns_and_contributors(program):
    dashboard = selectors.comms_dashboard(filters=WHOLE)
    by_post = Counter(s.post_id for s in program.shares)
    assert {row["post_id"]: row["shares"] for row in dashboard.top_posts} == dict(by_post)
    assert [row["shares"] for row in dashboard.top_posts] == sorted(by_post.values(), reverse=True)

    by_network = Counter(s.network for s in program.shares)
    assert {row["network"]: row["shares"] for row in dashboard.networks} == dict(by_network)
    clicks = defaultdict(int)
    for s in program.shares:
        clicks[s.network] += s.human_clicks
    assert {row["network"]: row["human_clicks"] for row in dashboard.networks} == dict(clicks)

    posts = {p.pk: p for p in program.posts}
    by_type = Counter(posts[s.post_id].content_type for s in program.shares)
    assert {row["content_type"]: row["shares"] for row in dashboard.content_types} == dict(by_type)

    in_campaign = [s for s in program.shares if posts[s.post_id].campaign_id]
    assert [(row["name"], row["shares"]) for row in dashboard.top_campaigns] == [("Spring launch", len(in_campaign))]

    by_person = Counter(s.user_id for s in program.shares)
    assert len(dashboard.top_contributors) == min(10, len(by_person))
    for row in dashboard.top_contributors:
        assert row["shares"] == by_person[row["user_id"]]


def test_it_leaves_people_hidden_from_leaderboards_out_of_top_contributors(program):
    hidden = program.shares[0].user
    hidden.hide_from_leaderboards = True
    hidden.save(update_fields=["hide_from_leaderboards"])
    ids = {row["user_id"] for row in selectors.results_by_contributor(filters=WHOLE)}
    assert hidden.pk not in ids and ids


def test_it_draws_a_daily_trend_with_empty_days_filled(program):
    series = selectors.trend(filters=Filters(start=date(2026, 3, 1), end=date(2026, 3, 12)))
    assert [row["period"] for row in series][0] == date(2026, 3, 1)
    assert len(series) == 12
    per_day = Counter(s.created_at.date() for s in program.shares)
    assert {row["period"]: row["shares"] for row in series if row["shares"]} == dict(per_day)
    assert series[0]["shares"] == 0


def test_it_goes_weekly_for_long_ranges(program):
    filters = Filters(start=date(2026, 1, 1), end=date(2026, 4, 30))
    series = selectors.trend(filters=filters)
    assert filters.granularity == "week"
    assert all(row["period"].weekday() == 0 for row in series)
    per_week = Counter(s.created_at.date().isocalendar()[:2] for s in program.shares)
    got = {row["period"].isocalendar()[:2]: row["shares"] for row in series if row["shares"]}
    assert got == dict(per_week)


def test_it_measures_one_post(program):
    from sharing.models import Click

    post = program.posts[0]
    shares = [s for s in program.shares if s.post_id == post.pk]
    Click.objects.create(
        event_id="00000000-0000-0000-0000-000000000001",
        share=shares[0],
        occurred_at=START,
        visitor_hash="a",
        kind=Click.Kind.HUMAN,
    )
    Click.objects.create(
        event_id="00000000-0000-0000-0000-000000000002",
        share=shares[0],
        occurred_at=START,
        visitor_hash="b",
        kind=Click.Kind.BOT,
    )
    performance = selectors.post_performance(post=post)
    assert performance.totals["shares"] == len(shares)
    assert performance.totals["sharers"] == len({s.user_id for s in shares})
    assert performance.totals["distinct_captions"] == len({s.caption for s in shares if s.caption})
    assert performance.totals["human_clicks"] == sum(s.human_clicks for s in shares)
    assert {row["network"]: row["shares"] for row in performance.networks} == dict(Counter(s.network for s in shares))
    assert performance.clicks_by_day == [{"period": START.date(), "human_clicks": 1}]


def test_it_totals_per_person_for_hr(program):
    rows = {row["pk"]: row for row in selectors.people_totals(filters=FIRST_THREE_DAYS)}
    shares = _in(program, FIRST_THREE_DAYS)
    assert len(rows) == len(program.users)
    for user in program.users:
        mine = [s for s in shares if s.user_id == user.pk]
        assert rows[user.pk]["share_count"] == len(mine)
        assert rows[user.pk]["human_click_count"] == sum(s.human_clicks for s in mine)
