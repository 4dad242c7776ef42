"""LOCAL_LOGIN and the login page: the company's sign-in first, passwords only for whom it allows."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sso_on(settings):
    settings.OIDC_ENABLED = True
    settings.OIDC_ISSUER = "http://127.0.0.1:9/"  # never reached: these tests only render and post the login page
    settings.SSO_COMPANY_NAME = "Example Corp"


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def _attempt(client, username, password="advocacy-demo"):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_without_sso_the_login_page_is_as_before(client, alice):
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with" not in page
    assert 'name="password"' in page
    assert _attempt(client, "alice").status_code == 302


def test_with_sso_the_company_button_comes_first_and_passwords_still_work(client, alice, sso_on):
    page = client.get(reverse("login") + "?next=/library/").content.decode()
    button = page.index("Sign in with Example Corp")
    assert button < page.index('name="password"')
    assert 'href="/sso/oidc/login/?next=%2Flibrary%2F"' in page
    assert "Or sign in with a password" in page
    assert _attempt(client, "alice").status_code == 302


def test_admins_only_refuses_everyone_else_with_a_clear_message(client, alice, root, sso_on, settings):
    settings.LOCAL_LOGIN = "admins"
    page = client.get(reverse("login")).content.decode()
    assert "Administrators: sign in with a password" in page
    response = _attempt(client, "alice")
    assert response.status_code == 200
    assert "Passwords here are only for administrators" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert _attempt(client, "root").status_code == 302
    assert client.session["_auth_user_id"] == str(root.pk)


def test_admins_only_says_nothing_to_someone_without_the_password(client, alice, sso_on, settings):
    settings.LOCAL_LOGIN = "admins"
    response = _attempt(client, "alice", "wrong")
    assert "only for administrators" not in response.content.decode()
    assert "Please enter a correct" in response.content.decode()
    assert AccessAttempt.objects.get().failures_since_start == 1  # still counted towards the lockout


def test_off_hides_the_form_and_refuses_even_an_admin(client, root, sso_on, settings):
    settings.LOCAL_LOGIN = "off"
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with Example Corp" in page
    assert 'name="password"' not in page and "Forgotten your password" not in page
    response = _attempt(client, "root")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_admin_login_obeys_it_too(client, alice, sso_on, settings):
    alice.is_staff = True
    alice.save()
    settings.LOCAL_LOGIN = "admins"
    response = client.post(
        reverse("admin:login"), {"username": "alice", "password": "advocacy-demo", "next": "/admin/"}
    )
    assert response.status_code == 200
    assert "Passwords here are only for administrators" in response.content.decode()
