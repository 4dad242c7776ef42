import pytest
from django.core.management import call_command

from advocacy.people.models import Team, User

pytestmark = pytest.mark.django_db


def test_it_creates_the_demo_organisation_once():
    call_command("seed_demo")
    people, teams = User.objects.count(), Team.objects.count()
    assert people == 60 and teams == 6
    call_command("seed_demo")
    assert (User.objects.count(), Team.objects.count()) == (people, teams)


def test_the_documented_logins_work(client, settings):
    call_command("seed_demo")
    # Comms and HR must set up two-step sign-in first (MFA_REQUIRED_ROLES); the employee goes straight in.
    expected = {
        "employee": "/",
        "comms": "/profile/security/setup/?next=%2F",
        "hr": "/profile/security/setup/?next=%2F",
    }
    for username, location in expected.items():
        response = client.post("/accounts/login/", {"username": username, "password": "advocacy-demo"})
        assert response.status_code == 302 and response["Location"] == location, username
        assert client.get(location).status_code == 200, username
        client.post("/accounts/logout/")
    settings.MFA_REQUIRED = False
    for username in ("comms", "hr"):
        response = client.post("/accounts/login/", {"username": username, "password": "advocacy-demo"})
        assert response["Location"] == "/", username
        client.post("/accounts/logout/")
    assert User.objects.get(username="comms").has_perm("people.access_comms_workspace")
    assert User.objects.get(username="hr").has_perm("people.access_hr_workspace")
    assert not User.objects.get(username="employee").has_perm("people.access_hr_workspace")


def test_if_empty_leaves_an_existing_database_alone(alice):
    call_command("seed_demo", "--if-empty")
    assert User.objects.count() == 1
