import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from advocacy.people.models import User
from advocacy.people.roles import Role
from advocacy.people.views import PEOPLE_PER_PAGE

pytestmark = pytest.mark.django_db


def _employees(count, team):
    people = User.objects.bulk_create(
        [User(username=f"staff{n:04d}", display_name=f"Staff {n:04d}", team=team) for n in range(count)]
    )
    Group.objects.get(name=Role.EMPLOYEE.value).user_set.add(*User.objects.filter(username__startswith="staff"))
    return people


@pytest.mark.parametrize("size", [3, 3 * PEOPLE_PER_PAGE])
def test_the_people_list_costs_the_same_queries_for_any_number_of_employees(
    client, harper, engineering, django_assert_num_queries, size
):
    _employees(size, engineering)
    client.force_login(harper)
    client.get(reverse("people:people_list"))
    # session, user, permissions ×2, navigation badge, count, page of people with teams, their groups
    with django_assert_num_queries(8):
        response = client.get(reverse("people:people_list"))
    assert response.status_code == 200
    assert response.content.decode().count("<tr><td>") == min(size + 1, PEOPLE_PER_PAGE)


def test_it_pages_everyone_by_name_and_says_how_many(client, harper, engineering):
    _employees(PEOPLE_PER_PAGE + 10, engineering)
    client.force_login(harper)
    first = client.get(reverse("people:people_list")).content.decode()
    assert f"{PEOPLE_PER_PAGE + 11} active employees" in first  # and Harper
    assert "Harper HR" in first and "Staff 0000" in first and "Staff 0059" not in first
    assert "Page 1 of 2" in first and ">Next</a>" in first
    second = client.get(reverse("people:people_list"), {"page": 2}).content.decode()
    assert "Staff 0059" in second and "Staff 0000" not in second and ">Previous</a>" in second
    assert client.get(reverse("people:people_list"), {"page": "x"}).status_code == 200
