import random
from datetime import UTC, date, datetime, timedelta

import pytest

from leaderboard import services
from leaderboard.models import PendingPointEvent, PointEvent, PointsRules, Standing, StandingCount, TeamStanding
from leaderboard.selectors import board_page, board_resolve, team_board
from leaderboard.standings_apply import standings_apply_pending
from leaderboard.standings_rebuild import standings_rebuild
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
WEDNESDAY = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
Kind = PointEvent.Kind


def award(user, points, at, *, key=None, campaign=None):
    return services._ledger_insert(
        cause_key=key or f"test:{user.pk}:{at.isoformat()}:{points}",
        user_id=user.pk,
        kind=Kind.ADJUSTMENT,
        points=points,
        occurred_at=at,
        team_id=user.team_id,
        campaign_id=campaign,
        reason="test",
        description="test points",
    )


def snapshot():
    people = set(
        Standing.objects.values_list(
            "period", "period_start", "scope", "scope_id", "user_id", "points", "events", "reached_at", "unranked"
        )
    )
    teams = set(
        TeamStanding.objects.values_list("period", "period_start", "scope", "scope_id", "team_id", "points", "members")
    )
    counts = set(StandingCount.objects.values_list("period", "period_start", "scope", "scope_id", "points", "ranked"))
    return people, teams, counts


def board_points(period="week", scope="everyone", now=WEDNESDAY):
    board = board_resolve(period=period, scope=scope, now=now)
    return list(
        board.standings()
        .filter(unranked=False)
        .order_by("-points", "reached_at", "user_id")
        .values_list("user__username", "points")
    )


def test_new_events_move_the_boards_once_however_often_the_apply_runs(alice, bob):
    award(alice, 10, WEDNESDAY)
    award(bob, 4, WEDNESDAY)
    assert standings_apply_pending(now=WEDNESDAY) == 2
    assert standings_apply_pending(now=WEDNESDAY) == 0
    assert board_points() == [("alice", 10), ("bob", 4)]
    assert board_points("all") == [("alice", 10), ("bob", 4)]
    assert board_points("week", f"team:{alice.team_id}") == [("alice", 10)]
    award(bob, 10, WEDNESDAY + timedelta(hours=1))
    standings_apply_pending(now=WEDNESDAY)
    assert board_points() == [("bob", 14), ("alice", 10)]
    assert PendingPointEvent.objects.count() == 0


def test_the_rebuild_gives_what_the_increments_gave_and_is_idempotent(alice, bob, casey, harper):
    for index, person in enumerate([alice, bob, casey, harper, alice, bob]):
        award(person, 3 + index, WEDNESDAY - timedelta(days=index * 9), campaign=(7 if index % 2 else None))
    standings_apply_pending(now=WEDNESDAY)
    incremental = snapshot()
    standings_rebuild(now=WEDNESDAY)
    assert snapshot() == incremental
    standings_rebuild(now=WEDNESDAY)
    assert snapshot() == incremental


def test_a_shuffled_ledger_gives_the_same_standings(engineering, sales):
    people = [UserFactory(username=f"p{n}", team=engineering if n % 2 else sales) for n in range(8)]
    rng = random.Random(7)
    rows = []
    for n in range(60):
        person = people[rng.randrange(len(people))]
        # Equal amounts at equal times make ties that only the documented rule can break.
        rows.append(
            (
                f"k{n}",
                person,
                rng.choice([5, 5, 10, -3]),
                WEDNESDAY - timedelta(days=rng.randrange(0, 120), hours=rng.choice([0, 0, 5])),
            )
        )

    def build(order):
        PendingPointEvent.objects.all().delete()
        PointEvent.objects.all().delete()
        for key, person, points, at in order:
            award(person, points, at, key=key, campaign=(1 if points == 10 else None))
        standings_rebuild(now=WEDNESDAY)
        rebuilt = snapshot()
        Standing.objects.all().delete()
        TeamStanding.objects.all().delete()
        StandingCount.objects.all().delete()
        PendingPointEvent.objects.bulk_create(
            [PendingPointEvent(event_id=pk) for pk in PointEvent.objects.order_by("?").values_list("pk", flat=True)]
        )
        while standings_apply_pending(limit=7, now=WEDNESDAY):
            pass
        assert snapshot() == rebuilt
        return rebuilt, [board_points(period) for period in ("week", "month", "quarter", "all")]

    first = build(rows)
    shuffled = rows[:]
    rng.shuffle(shuffled)
    assert build(shuffled) == first


def test_ties_go_to_whoever_got_there_first_then_the_lower_id(engineering):
    early, late, same = (UserFactory(username=name, team=engineering) for name in ("early", "late", "same"))
    award(late, 10, WEDNESDAY)
    award(early, 10, WEDNESDAY - timedelta(hours=1))
    award(same, 10, WEDNESDAY)
    standings_apply_pending(now=WEDNESDAY)
    assert board_points() == [("early", 10), ("late", 10), ("same", 10)]


def test_periods_start_on_monday_and_the_first_of_month_and_quarter(alice):
    award(alice, 1, datetime(2026, 11, 22, 23, 59, tzinfo=UTC))  # Sunday of the previous ISO week
    award(alice, 2, datetime(2026, 11, 23, 0, 0, tzinfo=UTC))  # Monday
    award(alice, 4, datetime(2026, 10, 31, 23, 0, tzinfo=UTC))  # last month, same quarter
    award(alice, 8, datetime(2026, 9, 30, 23, 0, tzinfo=UTC))  # last quarter
    standings_apply_pending(now=WEDNESDAY)
    assert board_points("week") == [("alice", 2)]
    assert board_points("month") == [("alice", 3)]
    assert board_points("quarter") == [("alice", 7)]
    assert board_points("all") == [("alice", 15)]
    last_week = board_resolve(period="week", previous=True, now=WEDNESDAY)
    assert last_week.start == date(2026, 11, 16)
    assert list(last_week.standings().values_list("points", flat=True)) == [1]


def test_periods_follow_the_leaderboard_time_zone(settings, alice):
    settings.LEADERBOARD_TIME_ZONE = "Europe/Paris"
    # 23:30 UTC on Sunday is already Monday in Paris.
    award(alice, 5, datetime(2026, 11, 22, 23, 30, tzinfo=UTC))
    standings_apply_pending(now=WEDNESDAY)
    assert board_points("week") == [("alice", 5)]


def test_a_void_takes_the_points_off_the_board_of_the_original_period(alice, bob, harper):
    event = award(alice, 10, WEDNESDAY - timedelta(days=1))
    award(bob, 6, WEDNESDAY)
    standings_apply_pending(now=WEDNESDAY)
    services.points_event_void(event=event, actor=harper, reason="Fake clicks")
    standings_apply_pending(now=WEDNESDAY)
    assert board_points() == [("bob", 6), ("alice", 0)]


def test_comms_admins_and_hr_are_left_out_by_default_and_can_be_included(alice, casey, harper):
    for person in (alice, casey, harper):
        award(person, 5, WEDNESDAY)
    standings_apply_pending(now=WEDNESDAY)
    assert board_points() == [("alice", 5)]
    services.points_rules_update(actor=harper, note="Staff compete too", exclude_staff=False)
    standings_rebuild(now=WEDNESDAY)
    assert [name for name, _ in board_points()] == ["alice", "casey", "harper"]


def test_hidden_people_show_as_anonymous_or_not_at_all(alice, bob, harper):
    bob.hide_from_leaderboards = True
    bob.save()
    award(alice, 5, WEDNESDAY)
    award(bob, 9, WEDNESDAY)
    standings_apply_pending(now=WEDNESDAY)
    board = board_resolve(now=WEDNESDAY)
    page = board_page(board=board, viewer=alice)
    assert [(row.rank, row.name) for row in page.top] == [(1, "Anonymous advocate"), (2, "Alice Archer")]
    assert board_page(board=board, viewer=bob).top[0].name == "Bob Baker"  # people always see themselves
    services.points_rules_update(actor=harper, note="Hide means hide", hidden_display=PointsRules.HiddenDisplay.OMIT)
    standings_rebuild(now=WEDNESDAY)
    page = board_page(board=board, viewer=alice)
    assert [(row.rank, row.name) for row in page.top] == [(1, "Alice Archer")]


def test_deactivated_people_leave_the_rankings(alice, dan):
    award(alice, 1, WEDNESDAY)
    award(dan, 5, WEDNESDAY)
    standings_apply_pending(now=WEDNESDAY)
    assert board_points() == [("alice", 1)]


def test_the_viewer_sees_their_rank_and_the_people_around_them(engineering):
    people = [UserFactory(username=f"r{n:02d}", team=engineering) for n in range(12)]
    for n, person in enumerate(people):
        award(person, 100 - n, WEDNESDAY)
    standings_apply_pending(now=WEDNESDAY)
    page = board_page(board=board_resolve(now=WEDNESDAY), viewer=people[8], top=3, around=2)
    assert [row.rank for row in page.top] == [1, 2, 3]
    assert [(row.rank, row.standing.user.username) for row in page.around] == [
        (7, "r06"),
        (8, "r07"),
        (9, "r08"),
        (10, "r09"),
        (11, "r10"),
    ]
    assert page.viewer.rank == 9 and page.viewer.is_viewer


def test_team_boards_rank_by_points_per_member_so_small_teams_can_win(engineering, sales):
    big = [UserFactory(username=f"big{n}", team=engineering) for n in range(4)]
    small = UserFactory(username="small", team=sales)
    for person in big:
        award(person, 10, WEDNESDAY)
    award(small, 15, WEDNESDAY)
    standings_apply_pending(now=WEDNESDAY)
    teams = team_board(board=board_resolve(now=WEDNESDAY))
    assert [(t.team.name, t.points, t.members, t.average) for t in teams] == [
        ("Sales", 15, 1, 15.0),
        ("Engineering", 40, 4, 10.0),
    ]
    standings_rebuild(now=WEDNESDAY)
    assert [(t.team.name, t.points, t.average) for t in team_board(board=board_resolve(now=WEDNESDAY))] == [
        ("Sales", 15, 15.0),
        ("Engineering", 40, 10.0),
    ]


def test_campaign_boards_count_only_the_campaigns_events(alice, bob):
    award(alice, 10, WEDNESDAY, campaign=3)
    award(bob, 20, WEDNESDAY)
    standings_apply_pending(now=WEDNESDAY)
    board = board_resolve(period="week", scope="everyone", now=WEDNESDAY)
    campaign_rows = Standing.objects.filter(period="week", period_start=board.start, scope="campaign", scope_id=3)
    assert list(campaign_rows.values_list("user__username", "points")) == [("alice", 10)]


def test_boards_older_than_the_previous_period_are_not_kept(alice):
    award(alice, 10, WEDNESDAY - timedelta(weeks=3))
    standings_apply_pending(now=WEDNESDAY)
    assert not Standing.objects.filter(period="week").exists()
    assert board_points("all") == [("alice", 10)]


def test_the_rebuild_repairs_standings_that_drifted_from_the_ledger(alice, bob):
    award(alice, 10, WEDNESDAY)
    award(bob, 4, WEDNESDAY)
    standings_apply_pending(now=WEDNESDAY)
    correct = snapshot()
    Standing.objects.filter(user=bob).update(points=99)
    Standing.objects.filter(user=alice, period="week").delete()
    StandingCount.objects.all().delete()
    assert standings_rebuild(now=WEDNESDAY) > 0
    assert snapshot() == correct
    assert standings_rebuild(now=WEDNESDAY) == 0 or snapshot() == correct
    page = board_page(board=board_resolve(now=WEDNESDAY), viewer=bob, top=1)
    assert page.viewer.rank == 2


def test_array_literals_reach_postgresql_unchanged(postgres_only):
    from django.db import connection

    from leaderboard.standings_apply import _array_literal

    columns = {
        "text": ["plain", 'quote " inside', "back\\slash", "comma, {brace}", "  spaces  ", "", None, "naïve ✓"],
        "bigint": [0, -7, 2**62, None],
        "bool": [True, False, None],
        "date": [date(2026, 11, 23), None],
        "timestamptz": [datetime(2026, 11, 23, 9, 30, 15, 123456, tzinfo=UTC), None],
    }
    with connection.cursor() as cursor:
        for kind, values in columns.items():
            cursor.execute(f"SELECT unnest(%s::{kind}[])", [_array_literal(values)])
            assert [row[0] for row in cursor.fetchall()] == values, kind


def test_an_apply_leaves_team_rows_it_does_not_change_unwritten(postgres_only, alice):
    """Only the team rows whose points (or members) moved are rewritten, not every row of the team."""
    from django.db import connection

    award(alice, 10, WEDNESDAY - timedelta(days=120))
    standings_apply_pending(now=WEDNESDAY)
    award(alice, 5, WEDNESDAY)

    def versions():
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, xmin::text FROM leaderboard_teamstanding WHERE team_id = %s", [alice.team_id])
            return dict(cursor.fetchall())

    before = versions()
    standings_apply_pending(now=WEDNESDAY)
    after = versions()
    moved = set(TeamStanding.objects.filter(period_start__gte=date(2026, 11, 23)).values_list("pk", flat=True))
    untouched = set(before) - moved - set(TeamStanding.objects.filter(period="all").values_list("pk", flat=True))
    assert untouched, "the fixture should leave some team rows of earlier periods alone"
    assert all(after[pk] == before[pk] for pk in untouched)
    expected = {(row.points, row.members, row.average) for row in TeamStanding.objects.filter(pk__in=moved)}
    assert all(average == points / max(members, 1) for points, members, average in expected)
