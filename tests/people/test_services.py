import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from advocacy.people import services
from advocacy.people.models import User
from advocacy.people.selectors import active_employees
from advocacy.people.services import user_deactivate

pytestmark = pytest.mark.django_db


def test_active_employees_are_active_accounts_with_the_employee_role(alice, bob, casey, harper, dan):
    names = set(active_employees().values_list("username", flat=True))
    assert {"alice", "bob"} <= names
    assert "dan" not in names  # deactivated
    for person in (casey, harper):
        assert (person.username in names) == person.groups.filter(name="Employee").exists()


def test_a_deactivated_persons_open_session_ends_at_the_next_request(client, alice):
    client.force_login(alice)
    assert client.get(reverse("people:my_data")).status_code == 200
    user_deactivate(user=alice)
    response = client.get(reverse("people:my_data"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert alice not in active_employees()


def test_switching_someone_off_in_the_admin_goes_through_user_deactivate(alice, harper, monkeypatch):
    calls = []
    real = services.user_deactivate
    monkeypatch.setattr(
        services, "user_deactivate", lambda *, user, **audit: calls.append(user.pk) or real(user=user, **audit)
    )
    model_admin = site._registry[User]
    alice.is_active = False

    class Form:
        changed_data = ["is_active"]

    model_admin.save_model(RequestFactory().post("/"), alice, Form(), change=True)
    assert calls == [alice.pk]
    assert not User.objects.get(pk=alice.pk).is_active
