from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.rollups import rollups_refresh
from programme.models import Goal
from sharing.models import Share
from tests.analytics.conftest import build_program
from tests.content_library.factories import PostFactory

pytestmark = pytest.mark.django_db


def _form(**overrides):
    today = date.today()
    return {
        "name": "Recruiting: clicks on job posts",
        "measure": "shares",
        "target": "3",
        "start": today.replace(day=1).isoformat(),
        "end": today.replace(day=28).isoformat() if today.day <= 28 else today.isoformat(),
        "campaign": "",
        "team": "",
        "content_type": "",
    } | overrides


def test_comms_set_a_goal_and_watch_it_move_after_shares(client, casey, alice):
    client.force_login(casey)
    response = client.post(reverse("programme:goal_list"), _form())
    assert response.status_code == 302
    goal = Goal.objects.get()
    assert goal.created_by == casey
    dashboard = client.get(reverse("analytics:comms_dashboard")).content.decode()
    assert 'id="programme-goals"' in dashboard and f'id="goal-{goal.pk}"' in dashboard
    assert '<span class="goal-actual">0</span> of 3' in dashboard
    post = PostFactory()
    for n, network in enumerate(["linkedin", "x"]):
        Share.objects.create(user=alice, post=post, network=network, code=f"goal{n}", last_shared_at=timezone.now())
    rollups_refresh()
    dashboard = client.get(reverse("analytics:comms_dashboard")).content.decode()
    assert '<span class="goal-actual">2</span> of 3' in dashboard


def test_it_explains_a_bad_goal_and_saves_nothing(client, casey):
    client.force_login(casey)
    response = client.post(reverse("programme:goal_list"), _form(start="2026-03-10", end="2026-03-01", target="0"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "The end date must be on or after the start date." in html
    assert "Enter a target above 0." in html
    assert not Goal.objects.exists()


def test_comms_edit_and_remove_a_goal(client, casey):
    client.force_login(casey)
    client.post(reverse("programme:goal_list"), _form())
    goal = Goal.objects.get()
    response = client.post(reverse("programme:goal_edit", kwargs={"goal_id": goal.pk}), _form(target="9"))
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.target == 9
    client.post(reverse("programme:goal_delete", kwargs={"goal_id": goal.pk}))
    assert not Goal.objects.exists()


def test_employees_cannot_set_goals(client, alice):
    client.force_login(alice)
    assert client.get(reverse("programme:goal_list")).status_code == 403
    assert client.post(reverse("programme:goal_list"), _form()).status_code == 403
    assert not Goal.objects.exists()


# Queries: session, user, the user's and group permissions, the Library nav badge,
# campaigns and teams for the form's choices, goals, the rollups' aggregate, the active employees' aggregate.
@pytest.mark.parametrize("size", [1, 3])
def test_the_goal_page_query_count_does_not_grow(client, casey, django_assert_num_queries, size):
    program = build_program(people_per_team=(6 * size, 5), posts=2 * size, shares_per_person=2 * size)
    for n in range(3 * size):
        Goal.objects.create(
            name=f"Goal {n}",
            measure=["shares", "adoption_rate", "engagement"][n % 3],
            target=10,
            start=date(2026, 3, 1),
            end=date(2026, 3, 31),
            team=program.teams[n % 2] if n % 2 else None,
        )
    client.force_login(casey)
    # +1: the organisation's branding that every page's header reads (cached after the first page).
    with django_assert_num_queries(11):
        assert client.get(reverse("programme:goal_list")).status_code == 200


def test_every_programme_page_starts_with_the_page_header_and_lays_out_its_tables_as_datatables():
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "templates" / "programme"
    for path in sorted(folder.glob("*.html")):
        text = path.read_text()
        assert "<h1" not in text, f"{path.name}: a bare <h1> instead of {{% page_header %}}"
        assert text.count("<table") == text.count("{% datatable %}<table"), f"{path.name}: a table without datatable"
