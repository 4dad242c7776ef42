"""Two-step sign-in pages: the code step after the password, and Profile → Two-step sign-in."""

import time

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from advocacy.people import mfa
from advocacy.people.mfa_views import FRESH_CODES_KEY, PENDING_KEY
from tests.conftest import app_code

pytestmark = pytest.mark.django_db


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    device = mfa.authenticator_start(user=user)
    codes = mfa.authenticator_confirm(user=user, code=app_code(device))
    device.refresh_from_db()
    return device, codes


def password(client, username, secret="advocacy-demo", *, next_url="", **headers):
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": username, "password": secret}, **headers)


def code(client, value, **headers):
    return client.post(reverse("login_code"), {"code": value}, **headers)


def wrong_code(device) -> str:
    from django_otp.oath import totp

    right = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{(right + 500_000) % 1_000_000:06d}"


def signed_in(client) -> bool:
    return client.get(reverse("home")).status_code == 200


def unthrottle(device) -> None:
    """django-otp asks for a growing pause after a wrong code; tests that type several skip the wait."""
    type(device).objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)


# --- The code step ------------------------------------------------------------


def test_without_an_app_the_password_signs_in(client, alice):
    response = password(client, "alice")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert signed_in(client)


def test_with_an_app_the_password_leads_to_the_code_step_and_is_not_a_sign_in_yet(client, alice):
    enrol(alice)
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    response = password(client, "alice")
    assert response.status_code == 302 and response["Location"] == reverse("login_code")
    assert client.session.session_key != before  # a planted session key cannot finish this sign-in
    assert not signed_in(client)
    assert client.get(reverse("people:api_me")).status_code == 403
    page = client.get(reverse("login_code"))
    assert page.status_code == 200
    assert b"Enter the 6-digit code from your authenticator app" in page.content


def test_the_right_code_signs_in_and_goes_where_the_person_was_going(client, alice):
    device, _ = enrol(alice)
    password(client, "alice", next_url=reverse("people:profile"))
    response = code(client, app_code(device))
    assert response.status_code == 302 and response["Location"] == reverse("people:profile")
    assert signed_in(client)
    assert PENDING_KEY not in client.session


def test_an_outside_next_address_is_ignored(client, alice):
    device, _ = enrol(alice)
    password(client, "alice", next_url="https://evil.example/")
    assert code(client, app_code(device))["Location"] == reverse("home")


def test_a_wrong_code_is_refused_plainly_and_counts_as_a_failed_login(client, alice):
    device, _ = enrol(alice)
    password(client, "alice")
    response = code(client, wrong_code(device))
    assert response.status_code == 400
    assert b"That code is not right" in response.content
    assert not signed_in(client)
    attempt = AccessAttempt.objects.get(username="alice")
    assert attempt.failures_since_start == 1
    assert wrong_code(device) not in attempt.post_data  # what was typed is not kept


def test_an_empty_code_asks_for_one(client, alice):
    enrol(alice)
    password(client, "alice")
    response = code(client, "")
    assert response.status_code == 400 and b"This field is required" in response.content


def test_wrong_codes_lock_that_username_from_that_address(client, alice, settings):
    device, _ = enrol(alice)
    password(client, "alice")
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        unthrottle(device)
        assert code(client, wrong_code(device)).status_code == 400, attempt
    unthrottle(device)
    response = code(client, wrong_code(device))
    assert response.status_code == 429
    assert PENDING_KEY not in client.session  # the sign-in is over
    assert password(client, "alice").status_code == 429
    # From another address the real owner still gets in.
    other = {"REMOTE_ADDR": "198.51.100.20"}
    assert password(client, "alice", **other)["Location"] == reverse("login_code")


def test_a_right_password_does_not_wipe_the_wrong_codes(client, alice, settings):
    """Otherwise typing the password again would give a fresh set of guesses at the code, forever."""
    device, _ = enrol(alice)
    for _round in range(2):
        password(client, "alice")
        for _ in range(settings.AXES_FAILURE_LIMIT // 2 + 1):
            unthrottle(device)
            code(client, wrong_code(device))
    assert password(client, "alice").status_code == 429


def test_a_try_while_django_otp_asks_for_a_pause_is_not_counted_as_a_failure(client, alice):
    device, _ = enrol(alice)
    password(client, "alice")
    code(client, wrong_code(device))  # failure 1; the device now wants a short pause
    response = code(client, app_code(device))
    assert response.status_code == 400 and b"Wait a few seconds" in response.content
    assert AccessAttempt.objects.get(username="alice").failures_since_start == 1
    unthrottle(device)
    assert code(client, app_code(device))["Location"] == reverse("home")
    assert not AccessAttempt.objects.filter(username="alice").exists()  # both steps passed: the slate is clean


def test_a_locked_pair_cannot_finish_a_sign_in_already_started(client, alice, settings):
    device, _ = enrol(alice)
    password(client, "alice")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert code(client, app_code(device)).status_code == 429
    assert not signed_in(client)


def test_a_code_cannot_be_used_twice(client, alice):
    device, _ = enrol(alice)
    password(client, "alice")
    used = app_code(device)
    code(client, used)
    client.post(reverse("logout"))
    password(client, "alice")
    response = code(client, used)
    assert response.status_code == 400 and b"already used" in response.content
    assert not signed_in(client)


def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(client, alice):
    _device, codes = enrol(alice)
    password(client, "alice")
    response = code(client, mfa.recovery_code_display(codes[0]))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert b"You have 9 left" in page.content
    client.post(reverse("logout"))
    password(client, "alice")
    assert code(client, codes[0]).status_code == 400


def test_the_code_step_without_a_password_first_goes_to_the_login(client, alice):
    response = client.get(reverse("login_code"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert code(client, "123456")["Location"] == reverse("login")


def test_a_code_step_left_too_long_starts_again(client, alice):
    device, _ = enrol(alice)
    password(client, "alice")
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "at": int(time.time()) - 3600}
    session.save()
    response = code(client, app_code(device))
    assert response["Location"] == reverse("login")
    assert b"took too long" in client.get(reverse("login")).content
    assert not signed_in(client)


def test_someone_deactivated_between_the_steps_is_not_signed_in(client, alice):
    device, _ = enrol(alice)
    password(client, "alice")
    alice.is_active = False
    alice.save()
    assert code(client, app_code(device))["Location"] == reverse("login")
    assert not signed_in(client)


def test_the_admin_login_asks_for_the_code_too(client, alice):
    alice.is_staff = True
    alice.is_superuser = True
    alice.save()
    device, _ = enrol(alice)
    response = client.post(
        reverse("admin:login"), {"username": "alice", "password": "advocacy-demo", "next": reverse("admin:index")}
    )
    assert response["Location"] == reverse("login_code")
    assert client.get(reverse("admin:index")).status_code == 302
    assert code(client, app_code(device))["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


# --- Required for comms admins and HR -------------------------------------------


def test_comms_signing_in_with_a_password_is_sent_to_set_up(client, casey):
    response = password(client, "casey", next_url=reverse("people:profile"))
    assert response.status_code == 302
    assert response["Location"] == reverse("people:security_setup") + "?next=%2Fprofile%2F"


@pytest.mark.parametrize(
    "url_name", ["home", "people:profile", "people:security", "people:security_remove", "password_change"]
)
def test_until_set_up_every_other_page_sends_them_back(client, harper, url_name):
    password(client, "harper")
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:security_setup") + "?next=")


def test_until_set_up_a_form_posted_elsewhere_changes_nothing(client, harper):
    password(client, "harper")
    response = client.post(reverse("people:profile"), {"display_name": "Someone Else"})
    assert response["Location"] == reverse("people:security_setup")
    harper.refresh_from_db()
    assert harper.display_name == "Harper HR"


def test_until_set_up_the_api_refuses_the_session_too(client, harper):
    password(client, "harper")
    for url in (reverse("people:api_me"), reverse("people:api_team_list")):
        response = client.get(url)
        assert response.status_code == 403
        assert "Set up two-step sign-in first" in response.json()["detail"]
    assert client.post(reverse("people:api_me"), {}).status_code == 403


def test_until_set_up_they_can_still_sign_out(client, harper):
    password(client, "harper")
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_setting_up_lets_them_through_to_where_they_were_going(client, casey):
    password(client, "casey", next_url=reverse("people:profile"))
    page = client.get(reverse("people:security_setup") + "?next=/profile/")
    assert page.status_code == 200 and b"Your role needs a second step" in page.content
    device = TOTPDevice.objects.get(user=casey, confirmed=False)
    response = client.post(reverse("people:security_setup"), {"code": app_code(device), "next": "/profile/"})
    assert (
        response.status_code == 302 and response["Location"] == reverse("people:security_codes") + "?next=%2Fprofile%2F"
    )
    codes_page = client.get(response["Location"])
    assert codes_page.content.count(b"<li><code>") == 10
    done = client.post(reverse("people:security_codes"), {"next": "/profile/"})
    assert done["Location"] == "/profile/"
    assert signed_in(client)


def test_with_the_rule_off_comms_go_straight_in(client, casey, settings):
    settings.MFA_REQUIRED = False
    assert password(client, "casey")["Location"] == reverse("home")
    assert signed_in(client)


def test_a_session_from_single_sign_on_is_not_held_back(client, casey):
    client.force_login(casey)  # as the identity provider's sign-in does: not through the password step
    assert signed_in(client)


def test_comms_with_an_app_use_the_code_step_and_are_not_held_back(client, casey):
    device, _ = enrol(casey)
    password(client, "casey")
    code(client, app_code(device))
    assert signed_in(client)


def test_comms_removing_their_app_must_set_up_a_new_one(client, casey):
    device, _ = enrol(casey)
    password(client, "casey")
    code(client, app_code(device))
    response = client.post(reverse("people:security_remove"), {"code": app_code(device)})
    assert response["Location"] == reverse("people:security_setup")
    assert client.get(reverse("home"))["Location"].startswith(reverse("people:security_setup"))


# --- Profile → Two-step sign-in -------------------------------------------------


def test_the_profile_links_to_two_step_sign_in(client, alice):
    client.force_login(alice)
    assert reverse("people:security").encode() in client.get(reverse("people:profile")).content
    page = client.get(reverse("people:security"))
    assert b"Authenticator app: off" in page.content


def test_the_set_up_page_shows_a_qr_code_and_the_key(client, alice):
    client.force_login(alice)
    page = client.get(reverse("people:security_setup"))
    device = TOTPDevice.objects.get(user=alice)
    assert page.status_code == 200
    qr_code = page.content[page.content.index(b"<svg") : page.content.index(b"</svg>")]
    assert b"<script" not in qr_code, "the QR code is plain inline SVG"
    assert mfa.authenticator_secret(device).encode() in page.content
    # A reload shows the same key, so a scan made before it still works.
    assert mfa.authenticator_secret(device).encode() in client.get(reverse("people:security_setup")).content


def test_a_wrong_code_at_set_up_is_explained_and_nothing_turns_on(client, alice):
    client.force_login(alice)
    client.get(reverse("people:security_setup"))
    device = TOTPDevice.objects.get(user=alice)
    response = client.post(reverse("people:security_setup"), {"code": wrong_code(device)})
    assert response.status_code == 400 and b"That code is not right" in response.content
    response = client.post(reverse("people:security_setup"), {"code": "abc"})
    assert response.status_code == 400 and b"6-digit" in response.content
    assert not mfa.has_authenticator(user=alice)


def test_set_up_when_already_on_goes_back_to_the_overview(client, alice):
    enrol(alice)
    client.force_login(alice)
    assert client.get(reverse("people:security_setup"))["Location"] == reverse("people:security")


def test_the_recovery_codes_are_shown_once_and_downloadable_while_shown(client, alice):
    client.force_login(alice)
    client.get(reverse("people:security_setup"))
    device = TOTPDevice.objects.get(user=alice)
    client.post(reverse("people:security_setup"), {"code": app_code(device)})
    page = client.get(reverse("people:security_codes"))
    download = client.get(reverse("people:security_codes_download"))
    assert download.status_code == 200 and download["Content-Type"].startswith("text/plain")
    assert "attachment" in download["Content-Disposition"] and download["Cache-Control"] == "no-store"
    lines = [line for line in download.content.decode().splitlines() if len(line) == 9 and line[4] == "-"]
    assert len(lines) == 10 and all(line.encode() in page.content for line in lines)
    client.post(reverse("people:security_codes"))
    again = client.get(reverse("people:security_codes"))
    assert not any(line.encode() in again.content for line in lines)
    assert b"shown only once" in again.content and b"10 left" in again.content
    assert client.get(reverse("people:security_codes_download"))["Location"] == reverse("people:security_codes")


def test_fresh_codes_are_not_offered_for_ever(client, alice):
    client.force_login(alice)
    client.get(reverse("people:security_setup"))
    device = TOTPDevice.objects.get(user=alice)
    client.post(reverse("people:security_setup"), {"code": app_code(device)})
    session = client.session
    session[FRESH_CODES_KEY] = {**session[FRESH_CODES_KEY], "at": int(time.time()) - 3600}
    session.save()
    assert client.get(reverse("people:security_codes_download")).status_code == 302


def test_new_recovery_codes_need_a_current_code_and_replace_the_old(client, alice):
    device, old = enrol(alice)
    client.force_login(alice)
    assert client.get(reverse("people:security_codes_new")).status_code == 200
    response = client.post(reverse("people:security_codes_new"), {"code": "nope"})
    assert response.status_code == 400
    unthrottle(StaticDevice.objects.get(user=alice))
    response = client.post(reverse("people:security_codes_new"), {"code": old[0]})
    assert response["Location"] == reverse("people:security_codes")
    page = client.get(reverse("people:security_codes"))
    assert page.content.count(b"<li><code>") == 10
    assert not any(mfa.recovery_code_display(c).encode() in page.content for c in old)
    with pytest.raises(mfa.CodeRefused):
        mfa.second_factor_verify(user=alice, code=old[1])


def test_removing_the_app_needs_a_current_code(client, alice):
    device, _ = enrol(alice)
    client.force_login(alice)
    assert client.get(reverse("people:security_remove")).status_code == 200
    response = client.post(reverse("people:security_remove"), {"code": wrong_code(device)})
    assert response.status_code == 400 and mfa.has_authenticator(user=alice)
    unthrottle(device)
    response = client.post(reverse("people:security_remove"), {"code": app_code(device)})
    assert response["Location"] == reverse("people:security")
    assert not mfa.has_authenticator(user=alice)
    client.post(reverse("logout"))
    assert password(client, "alice")["Location"] == reverse("home")


def test_pages_for_an_app_that_is_off_go_back_to_the_overview(client, alice):
    client.force_login(alice)
    for name in ("people:security_remove", "people:security_codes_new"):
        assert client.get(reverse(name))["Location"] == reverse("people:security")


def test_an_admin_can_remove_a_lost_device_without_seeing_its_secret(admin_client, alice):
    device, _ = enrol(alice)
    changelist = admin_client.get(reverse("admin:otp_totp_totpdevice_changelist"))
    assert changelist.status_code == 200 and b"alice" in changelist.content.lower()
    change = admin_client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert change.status_code == 200 and device.key.encode() not in change.content
    admin_client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert not mfa.has_authenticator(user=alice)
