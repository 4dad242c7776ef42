import csv
import io

import pytest
from django.urls import reverse

from tests.analytics.conftest import build_program

pytestmark = pytest.mark.django_db

RANGE = {"start": "2026-03-02", "end": "2026-03-11"}


def _csv(response) -> list[list[str]]:
    assert response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_it_shows_the_comms_dashboard_with_the_formula(client, casey, program):
    client.force_login(casey)
    response = client.get(reverse("analytics:comms_dashboard"), RANGE)
    assert response.status_code == 200
    totals = response.context["dashboard"].totals
    html = response.content.decode()
    assert f'<dd id="figure-shares">{totals.shares}</dd>' in html
    assert f'<dd id="figure-clicks">{totals.human_clicks}</dd>' in html
    assert "impressions ÷ 1,000 × CPM + human clicks × CPC" in html
    assert 'role="img"' in html and "<title>Shares per network</title>" in html
    assert "Hidden: fewer than 5 people" in html  # the team of 3
    assert ' style="' not in html


def test_it_explains_bad_dates_without_figures(client, casey):
    client.force_login(casey)
    response = client.get(reverse("analytics:comms_dashboard"), {"start": "2026-03-10", "end": "2026-03-01"})
    assert response.status_code == 400
    assert "The end date must be on or after the start date." in response.content.decode()
    response = client.get(reverse("analytics:comms_dashboard"), {"start": "yesterday", "end": "2026-03-01"})
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()


def test_it_hides_a_small_team(client, casey, program):
    client.force_login(casey)
    response = client.get(reverse("analytics:comms_dashboard"), {**RANGE, "team": program.teams[2].pk})
    assert response.status_code == 200
    assert "fewer than 5 people" in response.content.decode()
    assert 'id="figure-shares"' not in response.content.decode()
    export = _csv(
        client.get(reverse("analytics:export", kwargs={"table": "shares"}), {**RANGE, "team": program.teams[2].pk})
    )
    assert export[0] == ["Notice"] and len(export) == 2


# Queries: session, user, the user's and group permissions, the Library nav badge,
# teams for the filter form, participation, totals, top posts, top campaigns, top contributors,
# networks, content types, trend, the panels the programme registers through advocacy.panels
# (current goals, potential reach), and the organisation's branding (cached after the first page).
@pytest.mark.parametrize("size", [1, 3])
def test_the_comms_dashboard_query_count_does_not_grow(client, casey, django_assert_num_queries, size):
    build_program(people_per_team=(6 * size, 5 * size, 3), posts=4 * size, shares_per_person=3 * size)
    client.force_login(casey)
    with django_assert_num_queries(17):
        assert client.get(reverse("analytics:comms_dashboard"), RANGE).status_code == 200


# Queries: session, user, the user's and group permissions, the Library nav badge,
# post, totals, per network, clicks per day.
@pytest.mark.parametrize("size", [1, 3])
def test_the_post_page_query_count_does_not_grow(client, casey, django_assert_num_queries, size):
    program = build_program(people_per_team=(6 * size, 5), posts=2, shares_per_person=4 * size)
    client.force_login(casey)
    # +1: the organisation's branding that every page's header reads (cached after the first page).
    with django_assert_num_queries(10):
        response = client.get(reverse("analytics:post_performance", kwargs={"post_id": program.posts[0].pk}))
    assert response.status_code == 200
    assert 'id="figure-captions"' in response.content.decode()


# Queries: session, user, the user's and group permissions, the Library nav badge,
# teams for the filter form, participation, people, major policy version, acknowledgements per team.
@pytest.mark.parametrize("size", [1, 3])
def test_the_hr_dashboard_query_count_does_not_grow(client, harper, django_assert_num_queries, size):
    build_program(people_per_team=(6 * size, 5 * size), posts=2, shares_per_person=2 * size)
    client.force_login(harper)
    # +1: the organisation's branding that every page's header reads (cached after the first page).
    with django_assert_num_queries(11):
        response = client.get(reverse("analytics:hr_dashboard"), RANGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("leaderboard:board") in html and reverse("draws:manage_list") in html
    assert "Acknowledg" in html


def test_hr_sees_totals_per_person_never_click_logs(client, harper, program):
    client.force_login(harper)
    html = client.get(reverse("analytics:hr_dashboard"), RANGE).content.decode()
    assert "Totals only" in html and "visitor" not in html.lower()
    rows = _csv(client.get(reverse("analytics:export", kwargs={"table": "people"}), RANGE))
    assert rows[0] == ["Person", "Username", "Team", "Shares", "Human clicks"]
    by_username = {row[1]: row for row in rows[1:]}
    user = program.shares[0].user
    mine = [s for s in program.shares if s.user_id == user.pk]
    assert by_username[user.username][3:] == [str(len(mine)), str(sum(s.human_clicks for s in mine))]


def test_hr_cannot_export_share_lists_and_comms_cannot_export_people(client, harper, casey):
    client.force_login(harper)
    assert client.get(reverse("analytics:export", kwargs={"table": "shares"})).status_code == 403
    client.force_login(casey)
    assert client.get(reverse("analytics:export", kwargs={"table": "people"})).status_code == 403
    assert client.get(reverse("analytics:export", kwargs={"table": "nonsense"})).status_code == 404


@pytest.mark.parametrize(
    "table", ["participation", "posts", "campaigns", "contributors", "networks", "content-types", "trend", "shares"]
)
def test_every_comms_table_exports_as_a_stream(client, casey, program, table):
    client.force_login(casey)
    response = client.get(reverse("analytics:export", kwargs={"table": table}), RANGE)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert len(rows) > 1


def test_the_network_export_matches_the_dashboard(client, casey, program):
    client.force_login(casey)
    rows = _csv(client.get(reverse("analytics:export", kwargs={"table": "networks"}), RANGE))
    dashboard = client.get(reverse("analytics:comms_dashboard"), RANGE).context["dashboard"]
    assert [[r[0], int(r[1]), int(r[2])] for r in rows[1:]] == [
        [row["label"], row["shares"], row["human_clicks"]] for row in dashboard.networks
    ]
    shares = _csv(client.get(reverse("analytics:export", kwargs={"table": "shares"}), RANGE))
    assert len(shares) - 1 == len(program.shares)


def test_post_tables_export(client, casey, program):
    client.force_login(casey)
    post = program.posts[0]
    for table in ("networks", "clicks"):
        rows = _csv(client.get(reverse("analytics:post_export", kwargs={"post_id": post.pk, "table": table})))
        assert rows[0][0] in ("Network", "Day")
    url = reverse("analytics:post_export", kwargs={"post_id": post.pk, "table": "other"})
    assert client.get(url).status_code == 404


def test_the_earned_media_value_names_its_currency(client, casey, program, settings):
    settings.EARNED_MEDIA_CURRENCY = "GBP"
    client.force_login(casey)
    html = client.get(reverse("analytics:comms_dashboard"), RANGE).content.decode()
    totals_value = client.get(reverse("analytics:comms_dashboard"), RANGE).context["dashboard"].totals
    assert f'<dd id="figure-emv">{totals_value.earned_media_value} <abbr title="currency: GBP">GBP</abbr></dd>' in html
    assert f"× {totals_value.cpc} GBP" in html


def test_shares_and_clicks_each_get_their_own_chart_and_the_page_its_navigation(client, casey, program):
    client.force_login(casey)
    html = client.get(reverse("analytics:comms_dashboard"), RANGE).content.decode()
    assert "<title>Shares over time</title>" in html and "<title>Human clicks over time</title>" in html
    assert '<nav class="in-page-nav" aria-label="On this page">' in html
    for anchor in ("trend", "participation", "networks", "top-posts"):
        assert f'href="#{anchor}"' in html and f'id="{anchor}"' in html


def test_a_team_chosen_without_dates_shows_the_default_range(client, casey, program):
    from analytics.selectors import default_filters

    client.force_login(casey)
    response = client.get(reverse("analytics:comms_dashboard"), {"team": program.teams[0].pk})
    assert response.status_code == 200
    filters = response.context["dashboard"].filters
    defaults = default_filters()
    assert (filters.start, filters.end, filters.team) == (defaults.start, defaults.end, program.teams[0])
