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


def test_five_failures_lock_that_username_from_that_address(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _attempt(client, "alice", "wrong", REMOTE_ADDR="203.0.113.9").status_code == 200
    assert _attempt(client, "alice", "wrong", REMOTE_ADDR="203.0.113.9").status_code == 429
    response = _attempt(client, "alice", "advocacy-demo", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429
    assert b"Too many failed attempts" in response.content


def test_a_stranger_cannot_lock_someone_out_from_elsewhere(client, alice, settings):
    # Issue 16: five wrong passwords from any address used to lock the username for everyone.
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        _attempt(client, "alice", "wrong", REMOTE_ADDR="203.0.113.9")
    response = _attempt(client, "alice", "advocacy-demo", REMOTE_ADDR="198.51.100.20")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_spoofed_forwarded_for_header_does_not_reset_the_count(client, alice, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "alice", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}")
    response = _attempt(client, "alice", "advocacy-demo", HTTP_X_FORWARDED_FOR="198.51.100.77")
    assert response.status_code == 429


def test_trying_many_accounts_from_one_address_locks_the_address(client, alice, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    for attempt in range(8):
        assert _attempt(client, f"nobody{attempt}", "wrong", REMOTE_ADDR="203.0.113.9").status_code in (200, 429)
    assert _attempt(client, "someone-else", "wrong", REMOTE_ADDR="203.0.113.9").status_code == 429
    assert _attempt(client, "alice", "advocacy-demo", REMOTE_ADDR="203.0.113.9").status_code == 429
    # Other addresses are not affected.
    assert _attempt(client, "alice", "advocacy-demo", REMOTE_ADDR="198.51.100.20").status_code == 302


def test_the_attackers_own_login_does_not_wipe_the_address_count(client, alice, bob, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for attempt in range(5):
        _attempt(client, f"nobody{attempt}", "wrong", REMOTE_ADDR="203.0.113.9")
    assert _attempt(client, "bob", "advocacy-demo", REMOTE_ADDR="203.0.113.9").status_code == 302
    client.post(reverse("logout"))
    _attempt(client, "nobody-else", "wrong", REMOTE_ADDR="203.0.113.9")
    assert _attempt(client, "alice", "advocacy-demo", REMOTE_ADDR="203.0.113.9").status_code == 429


def test_a_password_reset_lets_the_locked_out_person_back_in(client, alice, settings, mailoutbox, reset_mail_now):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "alice", "wrong")
    assert _attempt(client, "alice", "advocacy-demo").status_code == 429
    _reset_password(client, "alice@example.com", "a fresh long passphrase", mailoutbox, reset_mail_now)
    client.post(reverse("logout"))
    assert _attempt(client, "alice", "a fresh long passphrase").status_code == 302


def test_the_admin_login_is_covered_by_the_same_lockout(client, alice, settings):
    alice.is_staff = True
    alice.save()
    admin_login = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(admin_login, {"username": "alice", "password": "wrong"})
    assert client.post(admin_login, {"username": "alice", "password": "advocacy-demo"}).status_code == 429
    assert _attempt(client, "alice", "advocacy-demo").status_code == 429


def test_the_admin_is_for_staff_only(client, alice, harper):
    client.force_login(harper)  # HR, but not staff
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    response = client.post(reverse("admin:login"), {"username": "alice", "password": "advocacy-demo"})
    assert response.status_code == 200  # the admin refuses a non-staff login
    assert client.get(reverse("admin:people_user_changelist")).status_code == 302


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


def _reset_password(client, email, new_password, mailoutbox, post_reset):
    before = len(mailoutbox)
    response = post_reset(client, email)
    assert response.status_code == 302
    assert len(mailoutbox) == before + 1
    link = next(line for line in mailoutbox[-1].body.splitlines() if "/accounts/reset/" in line).strip()
    response = client.get(link[link.index("/accounts/reset/") :], follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    return response


@pytest.fixture
def reset_mail_now(monkeypatch, django_capture_on_commit_callbacks):
    """Reset emails are queued on commit to a worker; run both here, as the worker would."""
    from advocacy.people import tasks

    monkeypatch.setattr(tasks.send_password_reset_email, "delay", lambda *a: tasks.send_password_reset_email.apply(a))

    def post(client, email, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("password_reset"), {"email": email}, **extra)

    return post


def test_password_reset_sends_an_email_with_a_working_link(client, alice, mailoutbox, reset_mail_now):
    _reset_password(client, "alice@example.com", "a fresh long passphrase", mailoutbox, reset_mail_now)
    assert User.objects.get(username="alice").check_password("a fresh long passphrase")


def test_the_reset_email_is_queued_for_a_worker_not_sent_in_the_request(
    client, alice, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    from advocacy.people import tasks

    queued = []
    monkeypatch.setattr(tasks.send_password_reset_email, "delay", lambda user_id: queued.append(user_id))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(reverse("password_reset"), {"email": "alice@example.com"}).status_code == 302
    assert mailoutbox == [] and queued == []  # nothing leaves before the request's transaction commits
    for callback in callbacks:
        callback()
    assert queued == [alice.pk] and mailoutbox == []


def test_29_resets_for_one_person_send_only_a_few_emails(client, alice, mailoutbox, settings, reset_mail_now):
    statuses = [
        reset_mail_now(client, "alice@example.com", REMOTE_ADDR=f"203.0.113.{n}").status_code for n in range(29)
    ]
    assert len(mailoutbox) == settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT
    assert statuses.count(302) == settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT and set(statuses) == {302, 429}
    response = reset_mail_now(client, "alice@example.com")
    assert response.status_code == 429
    assert b"already sent to this address several times" in response.content


def test_one_address_cannot_ask_for_resets_without_end(client, alice, mailoutbox, settings, reset_mail_now):
    emails = [f"someone{n}@example.com" for n in range(settings.PASSWORD_RESET_LIMIT_PER_ADDRESS)]
    assert all(reset_mail_now(client, e).status_code == 302 for e in emails)
    response = reset_mail_now(client, "alice@example.com")
    assert response.status_code == 429
    assert b"Too many reset requests from your network" in response.content
    assert mailoutbox == []


def _without_csrf(response) -> bytes:
    import re

    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)


def test_known_and_unknown_addresses_get_the_same_answer(client, alice, mailoutbox, settings, reset_mail_now):
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 1
    answers = {}
    for email in ("alice@example.com", "nobody-here@example.com"):
        first = reset_mail_now(client, email)
        second = reset_mail_now(client, email)
        page = _without_csrf(second).replace(email.encode(), b"EMAIL")
        answers[email] = (first.status_code, first["Location"], second.status_code, page)
    assert answers["alice@example.com"] == answers["nobody-here@example.com"]
    assert len(mailoutbox) == 1


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


def _second_browser(user_password="advocacy-demo"):
    from django.test import Client

    other = Client()
    assert _attempt(other, "alice", user_password).status_code == 302
    return other


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(client, alice):
    other = _second_browser()
    _attempt(client, "alice", "advocacy-demo")
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "advocacy-demo",
            "new_password1": "another long passphrase",
            "new_password2": "another long passphrase",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert other.get(reverse("home")).status_code == 302


def test_deactivation_ends_every_session(client, alice):
    from advocacy.people.services import user_deactivate

    other = _second_browser()
    user_deactivate(user=alice)
    assert other.get(reverse("home")).status_code == 302
    assert other.get(reverse("people:api_me")).status_code in (401, 403)


def test_a_session_ends_after_the_idle_time(client, alice, settings, monkeypatch):
    import time

    settings.SESSION_IDLE_MINUTES = 30
    _attempt(client, "alice", "advocacy-demo")
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 29 * 60)
    assert client.get(reverse("home")).status_code == 200  # activity keeps it alive
    monkeypatch.setattr(time, "time", lambda: now + 29 * 60 + 31 * 60)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_reactivated_account_does_not_revive_its_old_sessions(client, alice):
    from advocacy.people.services import user_deactivate

    other = _second_browser()
    user_deactivate(user=alice)
    alice.is_active = True
    alice.save(update_fields=["is_active"])
    assert other.get(reverse("home")).status_code == 302
    assert _attempt(client, "alice", "advocacy-demo").status_code == 302  # a fresh login works
    assert client.get(reverse("home")).status_code == 200


def test_deactivating_in_the_admin_ends_every_session_too(admin_client, alice):
    other = _second_browser()
    data = {
        "username": "alice",
        "email": alice.email,
        "display_name": alice.display_name,
        "digest_frequency": "weekly",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "is_active": "",
    }
    response = admin_client.post(reverse("admin:people_user_change", args=[alice.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    alice.refresh_from_db()
    assert not alice.is_active and alice.session_epoch == 1
    alice.is_active = True
    alice.save(update_fields=["is_active"])
    assert other.get(reverse("home")).status_code == 302
