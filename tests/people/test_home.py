"""Each role's start page: its panels read real data, in a number of queries that does not grow with it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.rollups import rollups_refresh
from content_library.models import LibraryVisit, Post, Suggestion
from leaderboard.models import ReviewFlags, ReviewFlagsBoard
from leaderboard.periods import period_starts
from leaderboard.services import points_award_for_share
from tests.draws.helpers import make_draw
from tests.factories import UserFactory
from tests.guidelines.factories import make_policy
from tests.leaderboard.conftest import make_clicks, make_post, make_share

pytestmark = pytest.mark.django_db


def _home(client, user):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response


def test_a_new_employee_is_invited_to_make_a_first_share(client, alice):
    response = _home(client, alice)
    body = response.content.decode()
    assert "Share your first post this week" in body
    assert "No draw is open right now" in body
    assert "Next badge: <strong>First share</strong>" in body
    assert [section["key"] for section in response.context["home_sections"]] == ["employee"]


def test_share_today_picks_featured_then_new_then_my_team_and_leaves_out_what_i_shared(client, alice, engineering):
    now = timezone.now()
    old = make_post(title="Old news")
    Post.objects.filter(pk=old.pk).update(publish_at=now - timedelta(days=30))
    LibraryVisit.objects.create(user=alice, seen_at=now - timedelta(days=2))
    featured = make_post(featured=True, title="Featured story")
    Post.objects.filter(pk=featured.pk).update(publish_at=now - timedelta(days=20))
    new = make_post(title="Brand new")
    Post.objects.filter(pk=new.pk).update(publish_at=now - timedelta(hours=3))
    mine = make_post(title="For engineering")
    Post.objects.filter(pk=mine.pk).update(publish_at=now - timedelta(days=10), target_everyone=False)
    mine.target_teams.add(engineering)
    shared = make_post(featured=True, title="Already shared")
    make_share(user=alice, post=shared)
    response = _home(client, alice)
    picks = response.context["home_sections"][0]["panels"][0]["picks"]
    assert [post.title for post in picks] == ["Featured story", "Brand new", "For engineering", "Old news"]
    body = response.content.decode()
    assert "New since your last visit" in body and "For your team" in body
    assert "Already shared" not in body


def test_my_week_counts_shares_clicks_and_points_and_shows_the_next_badge(client, alice):
    now = timezone.now()
    share = make_share(user=alice, at=now)
    make_clicks(share=share, count=3, at=now - timedelta(minutes=30))
    points_award_for_share(share_id=share.pk)
    panel = _home(client, alice).context["home_sections"][0]["panels"][1]
    assert (panel["week_shares"], panel["week_clicks"], panel["streak"]) == (1, 3, 1)
    assert panel["week_points"] == 10
    assert panel["next_badge"].code == "ten_shares"
    assert (panel["next_badge"].current, panel["next_badge"].target) == (1, 10)


def test_it_shows_my_entries_in_the_open_draw(client, alice):
    draw = make_draw(state="open", name="Spring draw", weighting="per_share", weight_cap=5)
    make_share(user=alice, at=timezone.now())
    make_share(user=alice, at=timezone.now())
    response = _home(client, alice)
    assert response.context["home_sections"][0]["panels"][2]["draw"] == draw
    assert "You have <strong>2</strong> entries so far (2 qualifying shares)" in response.content.decode()


def test_it_says_when_the_policy_must_be_acknowledged(client, alice):
    make_policy()
    assert "Read and acknowledge the current policy" in _home(client, alice).content.decode()


def test_comms_see_the_week_ahead_the_queue_and_this_month(client, casey):
    now = timezone.now()
    soon = make_post(title="Launch next Tuesday")
    Post.objects.filter(pk=soon.pk).update(publish_at=now + timedelta(days=2))
    ending = make_post(title="Offer ends soon")
    Post.objects.filter(pk=ending.pk).update(publish_at=now - timedelta(days=2), expires_at=now + timedelta(days=3))
    Post.objects.filter(pk=make_post(title="Waiting").pk).update(status=Post.Status.SUBMITTED)
    Suggestion.objects.create(author=casey, text="A podcast with our CTO")
    response = _home(client, casey)
    assert [section["key"] for section in response.context["home_sections"]] == ["employee", "comms"]
    week = response.context["home_sections"][1]["panels"][0]
    assert [post.title for post in week["going_live"]] == ["Launch next Tuesday"]
    assert [post.title for post in week["expiring"]] == ["Offer ends soon"]
    assert (week["review_posts"], week["review_suggestions"]) == (1, 1)
    body = response.content.decode()
    assert 'href="#home-comms"' in body and "Open the dashboard" in body


def test_comms_see_this_months_top_posts_in_a_labelled_table(client, casey, alice):
    make_share(user=alice, post=make_post(title="Our new office"))
    rollups_refresh(full=True)  # what the worker does after the shares land
    body = _home(client, casey).content.decode()
    top_posts = body.split('<table class="data-table table" data-testid="top-posts">', 1)[1].split("</table>", 1)[0]
    assert '<td data-label="Post"><a href=' in top_posts and ">Our new office</a>" in top_posts
    assert '<td data-label="Shares" class="num">1</td>' in top_posts


def test_hr_see_boards_with_anomaly_counts_draws_by_state_and_acknowledgements(client, harper, alice, bob):
    now = timezone.now()
    week = period_starts(now)["week"]
    ReviewFlagsBoard.objects.create(period="week", period_start=week, computed_at=now, rebuilt_at=now)
    flag = {"code": "spike", "message": "A spike", "share_id": None}
    ReviewFlags.objects.create(user=alice, period="week", period_start=week, flags=[flag], computed_at=now)
    ReviewFlags.objects.create(user=bob, period="week", period_start=week, flags=[], computed_at=now)
    make_draw(state="open")
    make_draw(state="closed", name="Needs freezing")
    make_policy()
    response = _home(client, harper)
    sections = {section["key"]: section for section in response.context["home_sections"]}
    assert list(sections) == ["employee", "hr"]
    boards, draws, people = sections["hr"]["panels"]
    assert [(board["period"], board["flagged"]) for board in boards["boards"]] == [
        ("week", 1),
        ("month", 0),
        ("quarter", 0),
    ]
    assert dict(draws["draw_counts"])["open"] == 1 and dict(draws["draw_counts"])["closed"] == 1
    assert [draw.name for draw in draws["draws_to_act_on"]] == ["Needs freezing"]
    assert people["ack_total"].members == 3 and people["ack_total"].acknowledged == 0
    body = response.content.decode()
    assert "closed: freeze it" in body
    # The boards table is the datatable component, labelled from its header row for the phone layout.
    boards_table = body.split('data-testid="hr-boards"', 1)[1].split("</table>", 1)[0]
    assert '<table class="data-table table">' in boards_table
    assert '<td data-label="With anomaly flags" class="num"><span class="pill pill-warning">1</span></td>' in body


def _lots_of_data(*, people: int, alice):
    now = timezone.now()
    for _index in range(people):
        person = UserFactory()
        share = make_share(user=person, at=now)
        make_clicks(share=share, count=2, at=now - timedelta(minutes=20))
    for _ in range(people):
        make_share(user=alice, at=now)
        make_post(featured=True)
    make_draw(state="open")
    make_draw(state="drawn")


@pytest.mark.parametrize("people", [1, 6])
def test_each_home_reads_a_fixed_number_of_queries(client, alice, casey, harper, django_assert_num_queries, people):
    _lots_of_data(people=people, alice=alice)
    make_policy()
    client.force_login(alice)
    client.get("/")  # the session and permission caches warm up
    # Employee (22): session, user, two permission reads, the roles line, the menu's library badge, the
    # team (7); share today: posts, their images (2); my week: shares, clicks, ledger sums, latest
    # streak, badges' ledger counts, badges' human clicks (6); open draw: the draw, its prizes, my
    # qualifying shares (3); policy: last acknowledgement, major version, acknowledged it? (3);
    # an ambassador invitation (1).
    with django_assert_num_queries(EMPLOYEE):
        assert client.get("/").status_code == 200
    client.force_login(casey)
    client.get("/")
    # Comms (29): the employee's 22, then going live, expiring, posts and suggestions waiting (4),
    # this month's participation and top posts (2), the current programme goals (1, none here).
    with django_assert_num_queries(COMMS):
        assert client.get("/").status_code == 200
    client.force_login(harper)
    client.get("/")
    # HR (28): the employee's 22, then flagged people and ranked counts per board (2), the draws (1),
    # the major policy version and acknowledgements per team (2), deactivated accounts (1).
    with django_assert_num_queries(HR):
        assert client.get("/").status_code == 200


EMPLOYEE, COMMS, HR = 22, 29, 28
