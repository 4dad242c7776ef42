"""The rollups the dashboards read give exactly the figures computed from the raw shares and metrics."""

import uuid
from datetime import date, timedelta

import pytest
from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncWeek
from django.utils import timezone

from advocacy.people.selectors import active_employees
from analytics import selectors
from analytics.models import PostDayRollup, PostRollup, ShareRollup
from analytics.rollups import post_rollups_refresh, rollups_refresh
from analytics.selectors import Filters, _share_result_annotations
from metrics.models import ShareMetrics
from sharing.models import Click, Share
from tests.analytics.conftest import START, build_program

pytestmark = pytest.mark.django_db

WHOLE = Filters(start=date(2026, 3, 2), end=date(2026, 3, 11))
RANGES = [
    WHOLE,
    Filters(start=date(2026, 3, 4), end=date(2026, 3, 6)),
    Filters(start=date(2026, 1, 1), end=date(2026, 12, 31)),
]


def _raw_annotations():
    # The raw path the post page uses (shares joined to their metrics), independent of the rollups.
    return _share_result_annotations()


def _raw(filters):
    """Every grouped table of the comms dashboard, from shares joined to their metrics (the old way)."""
    shares = selectors.shares_in_range(filters=filters)
    figures = _raw_annotations()
    zone = timezone.get_current_timezone()
    truncate = TruncDate if filters.granularity == "day" else TruncWeek
    return {
        "totals": shares.aggregate(**figures),
        "posts": list(shares.values("post_id").annotate(**figures).order_by("-shares", "-human_clicks", "post_id")),
        "campaigns": list(
            shares.filter(post__campaign__isnull=False)
            .values(campaign_id=F("post__campaign_id"))
            .annotate(**figures)
            .order_by("-shares", "-human_clicks", "campaign_id")
        ),
        "contributors": list(
            shares.filter(user__hide_from_leaderboards=False)
            .values("user_id")
            .annotate(**figures)
            .order_by("-shares", "-human_clicks", "user_id")
        ),
        "networks": list(shares.values("network").annotate(**figures).order_by("-shares", "network")),
        "content_types": list(
            shares.values(content_type=F("post__content_type")).annotate(**figures).order_by("-shares", "content_type")
        ),
        "trend": {
            (row["period"].date() if hasattr(row["period"], "date") else row["period"]): (row["s"], row["c"])
            for row in shares.annotate(period=truncate("created_at", tzinfo=zone))
            .values("period")
            .annotate(s=Count("pk"), c=Coalesce(Sum("human_clicks"), 0))
        },
    }


def _keys(rows, key):
    return [{name: row[name] for name in (key, *_raw_annotations())} for row in rows]


def _assert_same_as_raw(filters):
    raw = _raw(filters)
    figures = list(_raw_annotations())
    totals = selectors.rollups_in_range(filters=filters).aggregate(**selectors._result_annotations())
    assert totals == raw["totals"]
    per_post_day = selectors.post_rollups_in_range(filters=filters)
    assert per_post_day.aggregate(**selectors._result_annotations(per_post_day)) == raw["totals"]
    assert raw["totals"]["shares"] or filters.team is not None
    for name, select, key in [
        ("posts", selectors.results_by_post, "post_id"),
        ("campaigns", selectors.results_by_campaign, "campaign_id"),
        ("contributors", selectors.results_by_contributor, "user_id"),
        ("networks", selectors.results_by_network, "network"),
        ("content_types", selectors.results_by_content_type, "content_type"),
    ]:
        assert _keys(select(filters=filters), key) == _keys(raw[name], key), name
    sharers = set(selectors.shares_in_range(filters=filters).values_list("user_id", flat=True))
    people = active_employees() if filters.team is None else active_employees().filter(team=filters.team)
    raw_participation: dict = {}
    for user_id, team_id in people.values_list("pk", "team_id"):
        members, shared = raw_participation.get(team_id, (0, 0))
        raw_participation[team_id] = (members + 1, shared + (user_id in sharers))
    participation = selectors.participation_by_team(filters=filters)
    assert {row.team_id: (row.members, row.sharers) for row in participation} == raw_participation
    trend = {row["period"]: (row["shares"], row["human_clicks"]) for row in selectors.trend(filters=filters)}
    assert {period: figures for period, figures in trend.items() if figures != (0, 0)} == raw["trend"]
    assert figures


def _assert_post_totals_as_raw():
    """The per-post rows (the comms post list) and per-day rows equal the raw shares, post by post."""
    raw = {
        row["post_id"]: (row["n"], row["c"])
        for row in Share.objects.order_by()
        .values("post_id")
        .annotate(n=Count("pk"), c=Coalesce(Sum("human_clicks"), 0))
    }
    assert raw
    assert {row.post_id: (row.share_count, row.human_click_count) for row in PostRollup.objects.all()} == raw
    per_day = PostDayRollup.objects.values("post_id").annotate(n=Sum("share_count"), c=Sum("human_click_count"))
    assert {row["post_id"]: (row["n"], row["c"]) for row in per_day} == raw


def _change_behind_the_dashboards_back(program):
    """What happens between two refreshes: a click tallied, a metric pulled, a new share, a share erased."""
    clicked, pulled, erased = program.shares[0], program.shares[1], program.shares[2]
    Share.objects.filter(pk=clicked.pk).update(human_clicks=F("human_clicks") + 5)
    Click.objects.create(
        event_id=uuid.uuid4(), share=clicked, occurred_at=timezone.now(), visitor_hash="v", kind="human", tallied=True
    )
    ShareMetrics.objects.update_or_create(
        share=pulled,
        defaults={
            "network": pulled.network,
            "post_id": "p",
            "published_at": START,
            "likes": 1234,
            "replies": 5,
            "impressions": 999,
            "last_pulled_at": timezone.now(),
        },
    )
    Share.objects.filter(pk=erased.pk).delete()
    new = Share.objects.create(
        user=program.users[1],
        post=program.posts[-1],
        network="x",
        code="fresh0001",
        last_shared_at=START,
        human_clicks=9,
    )
    Share.objects.filter(pk=new.pk).update(created_at=START + timedelta(days=4))


def test_every_dashboard_figure_from_the_rollups_equals_the_raw_computation(program):
    for filters in RANGES + [Filters(start=WHOLE.start, end=WHOLE.end, team=program.teams[0])]:
        _assert_same_as_raw(filters)


def test_the_minute_refresh_follows_clicks_pulls_new_and_erased_shares(program):
    _change_behind_the_dashboards_back(program)
    with pytest.raises(AssertionError):
        _assert_same_as_raw(WHOLE)  # the rollups are a minute behind until the worker runs
    assert rollups_refresh() >= 3  # the clicked, the pulled and the new share, not all of them
    for filters in RANGES:
        _assert_same_as_raw(filters)
    _assert_post_totals_as_raw()


def test_the_per_post_rows_follow_one_more_share_and_heal_after_a_deletion(program):
    _assert_post_totals_as_raw()

    def rows():
        return [
            {name: value for name, value in row.items() if name != "id"}
            for row in PostDayRollup.objects.order_by("post_id", "day", "network").values()
        ]

    before = rows()
    post_rollups_refresh()  # a rebuild from the same share rows changes nothing
    assert rows() == before
    Share.objects.create(
        user=program.users[0], post=program.posts[0], network="x", code="one-more", human_clicks=4, last_shared_at=START
    )
    rollups_refresh()
    _assert_post_totals_as_raw()
    Share.objects.filter(pk=program.shares[7].pk).delete()  # the ORM takes its rollup row with it
    rollups_refresh()  # nothing changed since, but the per-post count no longer matches the share rows
    _assert_post_totals_as_raw()
    _assert_same_as_raw(RANGES[2])


def test_a_person_moving_team_or_hiding_shows_at_once(program):
    mover = program.users[1]
    mover.team = program.teams[1]
    mover.hide_from_leaderboards = True
    mover.save()
    for filters in RANGES + [Filters(start=WHOLE.start, end=WHOLE.end, team=program.teams[1])]:
        _assert_same_as_raw(filters)


def test_the_full_rebuild_is_deterministic_and_catches_rows_written_behind_the_services_back(program):
    before = list(ShareRollup.objects.order_by("pk").values_list("pk", "day", "human_clicks", "reported_likes"))
    shares_5 = program.shares[5].pk
    Share.objects.filter(pk=shares_5).update(human_clicks=777)  # no click row to notice
    rollups_refresh()
    assert ShareRollup.objects.get(pk=program.shares[5].pk).human_clicks != 777
    erased = next(share for share in program.shares if share.pk not in program.metrics and share.pk != shares_5)
    Share.objects.filter(pk=erased.pk)._raw_delete(Share.objects.db)  # no cascade to the rollup
    rollups_refresh(full=True)
    assert ShareRollup.objects.get(pk=program.shares[5].pk).human_clicks == 777
    assert not ShareRollup.objects.filter(pk=erased.pk).exists()
    _assert_same_as_raw(WHOLE)
    _assert_post_totals_as_raw()
    Share.objects.filter(pk=program.shares[5].pk).update(human_clicks=program.shares[5].human_clicks)
    rollups_refresh(full=True)
    gone = erased.pk
    assert list(ShareRollup.objects.order_by("pk").values_list("pk", "day", "human_clicks", "reported_likes")) == [
        row for row in before if row[0] != gone
    ]


def test_the_hr_people_totals_read_the_rollups_and_equal_the_raw_counts(program):
    filters = Filters(start=date(2026, 3, 2), end=date(2026, 3, 4))
    rows = {
        row["pk"]: (row["share_count"], row["human_click_count"]) for row in selectors.people_totals(filters=filters)
    }
    for user in program.users:
        mine = selectors.shares_in_range(filters=filters).filter(user=user)
        assert rows[user.pk] == (mine.count(), sum(mine.values_list("human_clicks", flat=True)))


def test_a_long_range_on_a_bigger_program_matches_too(db):
    build_program(people_per_team=(12, 9, 4), posts=9, shares_per_person=8, days=40)
    _assert_same_as_raw(Filters(start=date(2026, 3, 1), end=date(2026, 5, 1)))
