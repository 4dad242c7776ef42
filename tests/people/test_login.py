import pytest
from django.urls import reverse

from advocacy.people.models import User

pytestmark = pytest.mark.django_db


def _attempt(client, username, password, **headers):
    return client.post(reverse("login"), {"username": username, "password": password}, **headers)


def test_it_logs_in_and_rotates_the_session_key(client, alice):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    response = _attempt(client, "alice", "advocacy-demo")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session.session_key != before


def test_it_forgets_the_session_at_logout(client, alice):
    _attempt(client, "alice", "advocacy-demo")
    key = client.session.session_key
    client.post(reverse("logout"))
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("home")).status_code == 302


def test_it_locks_the_account_after_five_failures(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _attempt(client, "alice", "wrong").status_code == 200
    assert _attempt(client, "alice", "wrong").status_code == 429
    response = _attempt(client, "alice", "advocacy-demo")
    assert response.status_code == 429
    assert b"Too many failed attempts" in response.content


def test_a_spoofed_forwarded_for_header_does_not_reset_the_count(client, alice, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "alice", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}")
    response = _attempt(client, "alice", "advocacy-demo", HTTP_X_FORWARDED_FOR="198.51.100.77")
    assert response.status_code == 429


def test_trying_many_accounts_from_one_address_is_locked_too(client, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, f"nobody{attempt}", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}")
    assert _attempt(client, "someone-else", "wrong").status_code == 429


def test_the_lockout_stores_no_real_address(client, alice, settings):
    from axes.models import AccessAttempt

    for _ in range(2):
        _attempt(client, "alice", "wrong", REMOTE_ADDR="192.0.2.44")
    addresses = list(AccessAttempt.objects.values_list("ip_address", flat=True))
    assert addresses and all(address.startswith("fd") for address in addresses)
    assert "192.0.2.44" not in str(addresses)


def test_a_deactivated_person_cannot_log_in(client, dan):
    response = _attempt(client, "dan", "advocacy-demo")
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_password_reset_sends_an_email_with_a_working_link(client, alice, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "alice@example.com"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/reset/" in line).strip()
    path = link[link.index("/accounts/reset/") :]
    response = client.get(path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "a fresh long passphrase", "new_password2": "a fresh long passphrase"}
    )
    assert response.status_code == 302
    assert User.objects.get(username="alice").check_password("a fresh long passphrase")


def test_a_session_id_planted_before_login_gives_the_planter_nothing(client, alice):
    # Session fixation: an attacker who set the victim's cookie must not ride the victim's login.
    client.get(reverse("login"))
    client.session.save()
    planted = client.session.session_key
    _attempt(client, "alice", "advocacy-demo")
    from django.test import Client

    attacker = Client()
    attacker.cookies["sessionid"] = planted
    response = attacker.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_stolen_session_cookie_is_useless_after_logout(client, alice):
    _attempt(client, "alice", "advocacy-demo")
    stolen = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    from django.test import Client

    thief = Client()
    thief.cookies["sessionid"] = stolen
    assert thief.get(reverse("home")).status_code == 302


def test_logout_is_never_a_link_away(client, alice):
    # A GET (an <img src>, a prefetch) cannot sign anyone out; only a POST with the CSRF token does.
    _attempt(client, "alice", "advocacy-demo")
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200
