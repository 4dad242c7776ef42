import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leaderboard import services
from leaderboard.models import PointEvent, Standing, StandingCount
from leaderboard.periods import period_starts, previous_start
from leaderboard.review_flags import review_flags_refresh
from leaderboard.standings_apply import standings_apply_pending
from sharing.models import Click, Share
from tests.factories import UserFactory

from .conftest import make_clicks, make_share

pytestmark = pytest.mark.django_db
Kind = PointEvent.Kind


def give(user, points, *, minutes_ago=10, key=None):
    event = services._ledger_insert(
        cause_key=key or f"test:{user.pk}:{points}:{minutes_ago}",
        user_id=user.pk,
        kind=Kind.ADJUSTMENT,
        points=points,
        occurred_at=timezone.now() - timedelta(minutes=minutes_ago),
        team_id=user.team_id,
        reason="test",
        description=f"{points} test points",
    )
    return event


def crowd(engineering, count, *, start=0):
    people = [UserFactory(username=f"crowd{n:03d}", team=engineering) for n in range(start, start + count)]
    for n, person in enumerate(people):
        give(person, 1000 - n)
    return people


def board_html(client):
    response = client.get(reverse("leaderboard:board"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("size", [30, 90])
def test_the_board_page_costs_the_same_queries_for_any_number_of_employees(
    client, alice, engineering, django_assert_num_queries, size
):
    crowd(engineering, size)
    give(alice, 1)  # last, so the page also reads the people around her
    standings_apply_pending()
    client.force_login(alice)
    board_html(client)  # warm the content-type and permission caches
    # session, user, user's permissions, group permissions, navigation badge(s),
    # teams and campaigns for the filters, rules, top 25, alice's row, her rank,
    # the two rows ahead of her, the two rows behind; then for the rows shown: their ranks on
    # the previous board (movement), their badges' ledger counts and their human clicks
    with django_assert_num_queries(QUERIES["board"]):
        html = board_html(client)
    assert "Rank <strong>" + str(size + 1) + "</strong>" in html
    assert html.count("<tr") == 1 + 25 + 1 + 3  # header, top 25, header, around (two ahead, her)


@pytest.mark.parametrize("size", [10, 60])
def test_the_review_page_costs_the_same_queries_for_any_number_of_employees(
    client, harper, engineering, django_assert_num_queries, size
):
    people = crowd(engineering, size)
    share = make_share(user=people[0], at=timezone.now() - timedelta(hours=1), visitor_hash="sharer-1")
    make_clicks(share=share, count=12, at=timezone.now() - timedelta(minutes=50))
    Click.objects.filter(share=share).update(address_hash="one-address")  # 12 browsers behind one address
    standings_apply_pending()
    review_flags_refresh()  # the worker stores the flags; the page reads them
    client.force_login(harper)
    client.get(reverse("leaderboard:review"))
    # session, user, permissions ×2, navigation badge(s), teams, campaigns,
    # count and page of standings, whether the board's flags are computed, the page's flags, failed posts
    with django_assert_num_queries(QUERIES["review"]):
        response = client.get(reverse("leaderboard:review"))
    assert response.status_code == 200
    assert "12 different browsers from one address" in response.content.decode()


# review: + the published posts with their verification, + the failed ones for the flags
QUERIES = {"board": 15, "review": 13}


def test_why_lists_every_event_with_voids_and_adjustments_and_their_reasons(client, alice, harper):
    share = make_share(user=alice, at=timezone.now() - timedelta(hours=1))
    awarded = services.points_award_for_share(share_id=share.pk)
    services.points_event_void(event=awarded, actor=harper, reason="Posted to a private group")
    services.points_adjust(user=alice, points=3, actor=harper, reason="Helped at the careers fair")
    client.force_login(alice)
    html = client.get(reverse("leaderboard:my_points")).content.decode()
    assert 'data-testid="total">3<' in html
    assert f"share:{share.pk}" in html and "is-voided" in html
    assert "Reason: Posted to a private group (Harper HR)" in html
    assert "Reason: Helped at the careers fair" in html


def test_nobody_sees_another_persons_events_on_why(client, alice, bob, harper):
    services.points_adjust(user=bob, points=4, actor=harper, reason="Bob's secret bonus")
    client.force_login(alice)
    assert "secret bonus" not in client.get(reverse("leaderboard:my_points")).content.decode()


def test_hr_voids_an_event_with_a_reason_and_the_board_follows(
    client, alice, harper, celery_eager, django_capture_on_commit_callbacks
):
    event = give(alice, 10)
    standings_apply_pending()
    client.force_login(harper)
    url = reverse("leaderboard:void", kwargs={"event_id": event.pk})
    response = client.post(url, {"reason": ""})
    assert response.status_code == 302
    assert not PointEvent.objects.filter(kind=Kind.VOID).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"reason": "Clicks from a bot farm"}).status_code == 302
    void = PointEvent.objects.get(kind=Kind.VOID)
    assert (void.points, void.reason, void.actor) == (-10, "Clicks from a bot farm", harper)
    assert Standing.objects.get(user=alice, period="week", scope="everyone").points == 0


def test_an_adjustment_without_a_reason_is_refused_with_a_message(client, alice, harper):
    client.force_login(harper)
    url = reverse("leaderboard:adjust", kwargs={"user_id": alice.pk})
    response = client.post(url, {"points": "0", "reason": "", "token": "x"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required" in html and "other than zero" in html
    assert not PointEvent.objects.exists()


def test_a_failed_adjustment_shows_its_errors_at_the_adjustment_form_not_above_the_events(client, alice, harper):
    client.force_login(harper)
    url = reverse("leaderboard:adjust", kwargs={"user_id": alice.pk})
    html = client.post(url, {"points": "5", "reason": "", "token": "x"}).content.decode()
    events, adjust_section = html.split('<h2 id="adjust">')
    assert "This field is required" not in events and "There is a problem" not in events
    form = adjust_section.split("</form>")[0]
    assert 'action="' + url + '#adjust"' in form  # the page opens at the form after the post
    assert "This field is required" in form


def test_a_double_submitted_adjustment_counts_once(client, alice, harper):
    client.force_login(harper)
    url = reverse("leaderboard:adjust", kwargs={"user_id": alice.pk})
    for _ in range(2):
        client.post(url, {"points": "5", "reason": "Helped at the fair", "token": "same-form"})
    assert PointEvent.objects.filter(user=alice).count() == 1


def test_a_nonsense_board_gets_a_clear_400(client, alice):
    client.force_login(alice)
    for query in ("?period=decade", "?scope=team:abc", "?scope=team:99999", "?scope=galaxy:1"):
        response = client.get(reverse("leaderboard:board") + query)
        assert response.status_code == 400, query
        assert 'role="alert"' in response.content.decode()


def test_hidden_people_are_anonymous_on_the_board_page(client, alice, bob):
    bob.hide_from_leaderboards = True
    bob.save()
    give(bob, 50)
    give(alice, 5)
    standings_apply_pending()
    client.force_login(alice)
    html = board_html(client)
    assert "Anonymous advocate" in html and "Bob Baker" not in html


def test_the_team_view_shows_totals_and_averages(client, alice, bob):
    give(alice, 30)
    give(bob, 10)
    standings_apply_pending()
    client.force_login(alice)
    html = client.get(reverse("leaderboard:board") + "?view=teams").content.decode()
    assert 'data-testid="team-board"' in html
    assert '<td data-label="Team">Engineering</td>' in html
    # The points per member as a bar against the best team's, then the team total.
    assert '<progress class="progress" max="30.0" value="30.0"' in html
    assert '<span class="num">30.0</span></span></td><td data-label="Team total" class="num">30</td>' in html


def test_comms_admins_can_change_the_points_rules(client, casey):
    client.force_login(casey)
    url = reverse("leaderboard:rules")
    form = client.get(url).context["form"]
    data = {name: field.initial if field.initial is not None else "" for name, field in form.fields.items()}
    data |= {name: form.initial[name] for name in form.initial}
    data |= {"share": "12", "note": "Spring campaign", "exclude_staff": "on"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert services.points_rules_current().share == 12
    bad = client.post(url, data | {"share": "-1", "note": ""})
    assert bad.status_code == 400
    assert services.points_rules_current().version == 2


def test_the_board_csv_streams_every_row_with_real_names(client, alice, bob, harper):
    bob.hide_from_leaderboards = True
    bob.save()
    give(alice, 5)
    give(bob, 9)
    give(harper, 20)
    standings_apply_pending()
    client.force_login(harper)
    response = client.get(reverse("leaderboard:board_csv") + "?period=all")
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["rank", "username", "name", "team", "points"]
    assert [(r[0], r[1], r[4], r[7], r[8]) for r in rows[1:]] == [
        ("1", "bob", "9", "yes", ""),
        ("2", "alice", "5", "", ""),
        ("", "harper", "20", "", "yes"),
    ]


def test_an_employees_events_export_neutralises_formulas(client, alice, harper):
    services.points_adjust(user=alice, points=-2, actor=harper, reason='=HYPERLINK("http://evil")')
    client.force_login(harper)
    response = client.get(reverse("leaderboard:person_csv", kwargs={"user_id": alice.pk}))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][2] == "-2"
    assert rows[1][8].startswith("'=HYPERLINK")


def test_the_api_gives_the_board_and_my_points(client, alice, bob):
    give(alice, 5)
    give(bob, 9)
    standings_apply_pending()
    client.force_login(alice)
    board = client.get(reverse("leaderboard:api_board") + "?period=week").json()
    assert [(row["rank"], row["name"], row["points"]) for row in board["top"]] == [
        (1, "Bob Baker", 9),
        (2, "Alice Archer", 5),
    ]
    assert board["you"]["rank"] == 2 and board["you_are_ranked"]
    mine = client.get(reverse("leaderboard:api_my_points")).json()
    assert mine["total"] == 5 and len(mine["events"]) == 1
    assert {badge["code"] for badge in mine["badges"]} >= {"first_share", "four_week_streak"}
    bad = client.get(reverse("leaderboard:api_board") + "?scope=team:nope")
    assert bad.status_code == 400 and "scope" in bad.json()


def test_hr_drills_into_an_employee_and_sees_flags(client, alice, bob, harper):
    share = make_share(user=alice, at=timezone.now() - timedelta(minutes=30), visitor_hash="alice-hash")
    make_share(
        user=UserFactory(username="mate", team=alice.team),
        at=timezone.now() - timedelta(minutes=40),
        visitor_hash="mate-hash",
    )
    make_clicks(share=share, count=6, at=timezone.now() - timedelta(minutes=28), spacing=timedelta(seconds=1))
    make_clicks(share=share, count=1, at=timezone.now() - timedelta(minutes=25), visitors=["mate-hash"])
    services.points_award_for_share(share_id=share.pk)
    client.force_login(harper)
    html = client.get(reverse("leaderboard:review_person", kwargs={"user_id": alice.pk})).content.decode()
    assert "5+ clicks within 10 seconds" in html
    assert "1 click from teammates within 15 minutes of sharing" in html
    assert "Reason for voiding" in html


def test_review_flags_a_pasted_post_that_failed_verification_and_says_why(client, alice, harper):
    share = make_share(user=alice, at=timezone.now() - timedelta(hours=1))
    share.published_url = "https://x.com/someone/status/123"
    share.published_verification = Share.Verification.NOT_YOURS
    share.published_verification_detail = "posted by @someone, not @alice"
    share.save()
    services.points_award_for_share(share_id=share.pk)
    standings_apply_pending()
    client.force_login(harper)
    page = client.get(reverse("leaderboard:review")).content.decode()
    assert "post pasted for this share was written by someone else (posted by @someone, not @alice)" in page


def test_a_refused_adjustment_opens_the_page_at_its_form(client, alice, harper):
    client.force_login(harper)
    url = reverse("leaderboard:adjust", kwargs={"user_id": alice.pk})
    html = client.post(url, {"points": "0", "reason": "", "token": "x"}).content.decode()
    # The form posts to …#adjust, so the browser shows the answer at the form and its errors.
    assert f'action="{url}#adjust"' in html and '<h2 id="adjust">' in html
    assert html.index('id="adjust"') < html.index("other than zero")


def test_the_board_shows_a_podium_avatars_movement_and_badges(client, alice, bob, engineering):
    carol = UserFactory(username="carol", display_name="Carol Cole", team=engineering)
    give(alice, 30)
    give(bob, 20)
    give(carol, 10)
    standings_apply_pending()
    # Last week carol led and alice was third: alice went up two places, carol down two.
    start = period_starts(timezone.now())["week"]
    before = previous_start("week", start)
    for rank, person in enumerate([carol, bob, alice]):
        Standing.objects.create(
            period="week",
            period_start=before,
            scope="everyone",
            scope_id=0,
            user=person,
            points=100 - rank,
            events=1,
            reached_at=timezone.now() - timedelta(days=8),
        )
    for rank in range(3):
        StandingCount.objects.create(
            period="week", period_start=before, scope="everyone", scope_id=0, points=100 - rank, ranked=1
        )
    make_share(user=alice, at=timezone.now())
    services.points_award_for_share(share_id=make_share(user=alice, at=timezone.now()).pk)
    client.force_login(alice)
    html = board_html(client)
    podium = html.split('data-testid="podium"')[1].split("</ol>")[0]
    assert podium.index("Alice Archer") < podium.index("Bob Baker") < podium.index("Carol Cole")
    assert '<span class="avatar" aria-hidden="true">AA</span>' in html
    row = html.split('data-user-rank="1"')[1].split("</tr>")[0]
    assert "▲</span> 2" in row and "First share" in row
    carol_row = html.split('data-user-rank="3"')[1].split("</tr>")[0]
    assert "▼</span> 2" in carol_row


def test_my_points_groups_the_ledger_by_day_with_totals_and_a_chart(client, alice):
    give(alice, 7, minutes_ago=60 * 24 * 3, key="three-days-ago")
    give(alice, 5, minutes_ago=10, key="today-1")
    give(alice, 4, minutes_ago=5, key="today-2")
    client.force_login(alice)
    html = client.get(reverse("leaderboard:my_points")).content.decode()
    assert html.count('class="points-day"') == 2
    assert html.count('data-testid="day-total">+9 points') == 1
    assert html.count('data-testid="day-total">+7 points') == 1
    assert html.index("+9 points") < html.index("+7 points")  # newest day first
    assert html.count('<rect class="bar"') == 2
    assert "16 points in the last 30 days" in html


def test_my_points_pages_by_day_in_a_fixed_number_of_queries(client, alice, django_assert_num_queries):
    for day in range(20):
        for n in range(3):
            give(alice, 1 + n, minutes_ago=60 * 24 * day + n, key=f"d{day}-{n}")
    client.force_login(alice)
    client.get(reverse("leaderboard:my_points"))
    # session, user, permissions ×2, navigation badge(s), the days: count and page, their events,
    # the chart's 30 days, the total, badges (ledger counts, human clicks), the rules
    with django_assert_num_queries(13):
        html = client.get(reverse("leaderboard:my_points")).content.decode()
    assert html.count('class="points-day"') == 14
    assert "Page 1 of 2" in html
    older = client.get(reverse("leaderboard:my_points") + "?page=2").content.decode()
    assert older.count('class="points-day"') == 6


def test_the_badges_page_shows_earned_badges_and_progress_to_the_next(client, alice):
    services.points_award_for_share(share_id=make_share(user=alice, at=timezone.now()).pk)
    client.force_login(alice)
    html = client.get(reverse("leaderboard:badges")).content.decode()
    earned = html.split('data-testid="earned-badges"')[1].split("</ul>")[0]
    assert "First share" in earned and "Ten shares" not in earned
    waiting = html.split('data-testid="next-badges"')[1].split("</ul>")[0]
    assert '<progress class="progress" max="10" value="1"' in waiting
    assert "1 of 10" in waiting
