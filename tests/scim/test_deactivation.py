"""A SCIM deactivation takes the person off the boards and out of open draws, keeps their ledger, and says so to HR."""

import pytest
from django.urls import reverse

from advocacy.people.models import User
from draws.selectors import entry_weights
from leaderboard import tasks as leaderboard_tasks
from leaderboard.models import PointEvent, Standing
from leaderboard.standings_apply import standings_apply_pending
from tests.draws.helpers import make_draw
from tests.leaderboard.conftest import make_share
from tests.leaderboard.test_views import give

pytestmark = pytest.mark.django_db


@pytest.fixture
def reflag_eagerly(monkeypatch):
    task = leaderboard_tasks.reflag_standings
    monkeypatch.setattr(task, "delay", lambda *args: task.apply(args).get())


@pytest.fixture
def ada(scim, engineering):
    doc = scim.create_user("ada@example.com", displayName="Ada Lovelace")
    user = User.objects.get(email="ada@example.com")
    user.team = engineering
    user.save(update_fields=["team"])
    return doc, user


def test_it_takes_them_off_the_boards_at_once_and_keeps_their_points(
    scim, ada, alice, client, harper, reflag_eagerly, django_capture_on_commit_callbacks
):
    doc, user = ada
    give(user, 50)
    give(alice, 10)
    standings_apply_pending()
    assert Standing.objects.filter(user=user, unranked=False).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert scim.patch(f"Users/{doc['id']}", {"op": "replace", "path": "active", "value": False}).status_code == 200
    assert not Standing.objects.filter(user=user, unranked=False).exists()
    assert PointEvent.objects.filter(user=user).count() == 1  # the ledger is kept
    client.force_login(harper)
    review = client.get(reverse("leaderboard:review")).content.decode()
    assert "deactivated on" in review and "by SCIM (token “Entra ID”)" in review
    person = client.get(reverse("leaderboard:review_person", kwargs={"user_id": user.pk})).content.decode()
    assert "by SCIM" in person
    board = client.get(reverse("leaderboard:board")).content.decode()
    assert "Ada Lovelace" not in board and "Alice Archer" in board


def test_reactivation_puts_them_back_on_the_boards(scim, ada, reflag_eagerly, django_capture_on_commit_callbacks):
    doc, user = ada
    give(user, 50)
    standings_apply_pending()
    with django_capture_on_commit_callbacks(execute=True):
        scim.patch(f"Users/{doc['id']}", {"op": "replace", "path": "active", "value": False})
    with django_capture_on_commit_callbacks(execute=True):
        scim.patch(f"Users/{doc['id']}", {"op": "replace", "path": "active", "value": True})
    assert Standing.objects.filter(user=user, unranked=False).exists()


def test_an_open_draw_leaves_them_out_and_hr_sees_why(scim, ada, alice, client, harper):
    doc, user = ada
    draw = make_draw(state="open")
    make_share(user=user)
    make_share(user=alice)
    assert {w.user_id for w in entry_weights(draw=draw)} == {user.pk, alice.pk}
    scim.delete(f"Users/{doc['id']}")
    assert {w.user_id for w in entry_weights(draw=draw)} == {alice.pk}
    client.force_login(harper)
    page = client.get(reverse("draws:manage_detail", kwargs={"pk": draw.pk})).content.decode()
    assert "Not entered: deactivated" in page
    assert "Ada Lovelace: 1 qualifying share, deactivated on" in page and "by SCIM" in page
