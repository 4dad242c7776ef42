"""HR's directory: search, filters, paging with a fixed query count, roles, (de)activation, the log."""

import pytest
from django.urls import reverse

from advocacy.people.models import AuditEntry, User
from advocacy.people.roles import Role
from advocacy.people.selectors import user_roles
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_client(client, harper):
    client.force_login(harper)
    return client


def _names(response):
    return [person.username for person in response.context["people"]]


def test_it_searches_names_and_emails_and_filters_by_team_role_and_status(
    hr_client, alice, bob, casey, dan, engineering
):
    url = reverse("people:people_list")
    assert set(_names(hr_client.get(url))) == {"alice", "bob", "casey", "harper"}
    assert _names(hr_client.get(url, {"q": "archer"})) == ["alice"]
    assert _names(hr_client.get(url, {"q": "bob@example"})) == ["bob"]
    assert _names(hr_client.get(url, {"team": engineering.pk})) == ["alice"]
    assert _names(hr_client.get(url, {"role": "Comms admin"})) == ["casey"]
    assert _names(hr_client.get(url, {"status": "deactivated"})) == ["dan"]
    assert len(_names(hr_client.get(url, {"status": "all"}))) == 5
    response = hr_client.get(url, {"q": "nobody-like-this"})
    assert b"Nobody matches these filters." in response.content


def test_the_directory_keeps_the_erase_link(hr_client, bob):
    response = hr_client.get(reverse("people:people_list"))
    assert reverse("people:person_erase", args=[bob.pk]).encode() in response.content


@pytest.mark.parametrize("people", [3, 60])
def test_the_directory_runs_a_fixed_number_of_queries(hr_client, harper, people, django_assert_num_queries):
    team = TeamFactory(name="Support")
    for number in range(people):
        UserFactory(username=f"member{number:03}", team=team)
    hr_client.get(reverse("people:people_list"))  # warm the session
    # session, user, permissions (own and groups'), the team choices, count, the page, its groups,
    # recent imports, and the menu's library badge.
    with django_assert_num_queries(10):
        response = hr_client.get(reverse("people:people_list"), {"status": "all"})
    assert response.status_code == 200
    assert len(response.context["people"]) == min(people + 1, 50)


@pytest.mark.parametrize("entries", [2, 70])
def test_the_audit_page_runs_a_fixed_number_of_queries(hr_client, alice, harper, entries, django_assert_num_queries):
    from advocacy.people.services import user_deactivate, user_reactivate

    for _ in range(entries // 2):
        user_deactivate(user=alice, actor=harper, source="hr")
        user_reactivate(user=alice, actor=harper, source="hr")
    hr_client.get(reverse("people:audit_list"))
    # session, user, permissions (own and groups'), count, the page (people joined in), the menu's badge.
    with django_assert_num_queries(7):
        response = hr_client.get(reverse("people:audit_list"))
    assert b"Deactivated" in response.content and b"Harper HR (HR directory)" in response.content


def test_hr_changes_roles_with_a_reason_and_the_person_page_shows_the_history(hr_client, bob, harper):
    url = reverse("people:person_detail", args=[bob.pk])
    response = hr_client.post(url, {"roles": ["Employee", "Comms admin"], "reason": "Joins the comms team"})
    assert response.status_code == 302
    assert user_roles(user=bob) == ["Comms admin", "Employee"]
    page = hr_client.get(url).content.decode()
    assert "Joins the comms team" in page and "Employee, Comms admin" in page


def test_hr_cannot_take_their_own_hr_role_away(hr_client, harper):
    response = hr_client.post(reverse("people:person_detail", args=[harper.pk]), {"roles": ["Employee"]})
    assert response.status_code == 400 and b"ask another HR person" in response.content
    assert Role.HR.value in user_roles(user=harper)


def test_an_unknown_role_is_refused_next_to_the_field(hr_client, bob):
    response = hr_client.post(reverse("people:person_detail", args=[bob.pk]), {"roles": ["Wizard"]})
    assert response.status_code == 400 and b"Select a valid choice" in response.content


def test_deactivation_asks_first_then_switches_the_person_off(hr_client, client, bob, harper):
    url = reverse("people:person_deactivate", args=[bob.pk])
    confirm = hr_client.get(url)
    assert confirm.status_code == 200 and b"signed out everywhere" in confirm.content
    assert User.objects.get(pk=bob.pk).is_active  # looking at the page changes nothing
    assert hr_client.post(url, {"reason": "Left"}).status_code == 302
    assert not User.objects.get(pk=bob.pk).is_active
    entry = AuditEntry.objects.filter(person=bob).first()
    assert (entry.action, entry.actor, entry.reason) == ("deactivated", harper, "Left")
    assert hr_client.post(reverse("people:person_reactivate", args=[bob.pk])).status_code == 302
    assert User.objects.get(pk=bob.pk).is_active


def test_hr_cannot_deactivate_themselves(hr_client, harper):
    response = hr_client.post(reverse("people:person_deactivate", args=[harper.pk]))
    assert response.status_code == 400 and b"your own account" in response.content
    assert User.objects.get(pk=harper.pk).is_active


def test_hr_invites_someone_new_and_can_resend_and_revoke(hr_client, engineering, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = hr_client.post(
            reverse("people:person_invite_new"),
            {"display_name": "Nina Novak", "email": "nina@example.test", "team": engineering.pk, "roles": ["Employee"]},
        )
    nina = User.objects.get(email="nina@example.test")
    assert response["Location"] == reverse("people:person_detail", args=[nina.pk])
    first = nina.invitations.get()
    hr_client.post(reverse("people:person_invite", args=[nina.pk]))
    assert nina.invitations.count() == 2
    first.refresh_from_db()
    assert first.revoked_at is not None  # resending retires the old link
    latest = nina.invitations.first()
    hr_client.post(reverse("people:invitation_revoke", args=[latest.pk]))
    latest.refresh_from_db()
    assert latest.revoked_at is not None
    page = hr_client.get(reverse("people:person_detail", args=[nina.pk])).content.decode()
    assert page.count("Revoked") == 2
    assert hr_client.get(reverse("people:people_list"), {"status": "invited"}).context["people"].__len__() == 0


def test_the_invited_filter_lists_people_with_an_open_invitation(hr_client, bob, harper):
    from advocacy.people.invitations import invitation_send

    invitation_send(user=bob, actor=harper)
    response = hr_client.get(reverse("people:people_list"), {"status": "invited"})
    assert _names(response) == ["bob"] and b"Invited" in response.content


def test_an_invitation_to_a_duplicate_email_is_refused_next_to_the_field(hr_client, alice):
    response = hr_client.post(
        reverse("people:person_invite_new"), {"display_name": "Again", "email": alice.email.upper(), "roles": []}
    )
    assert response.status_code == 400 and b"already in the directory" in response.content
