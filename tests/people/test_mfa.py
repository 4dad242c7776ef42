"""Two-step sign-in services: set-up, codes, recovery codes, removal, who must use it."""

import time
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from advocacy.people import mfa
from advocacy.people.mfa import CodeRefused

pytestmark = pytest.mark.django_db


def code_at(device, *, steps_from_now: int = 0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    if steps_from_now:
        from django_otp.oath import TOTP

        generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        generator.time = time.time() + steps_from_now * device.step
        value = generator.token()
    return f"{value:06d}"


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    device = mfa.authenticator_start(user=user)
    codes = mfa.authenticator_confirm(user=user, code=code_at(device))
    device.refresh_from_db()
    return device, codes


def test_setting_up_keeps_the_same_secret_until_it_is_confirmed(alice):
    first = mfa.authenticator_start(user=alice)
    again = mfa.authenticator_start(user=alice)
    assert first.pk == again.pk and not first.confirmed
    assert not mfa.has_authenticator(user=alice)


def test_a_right_code_turns_the_app_on_and_gives_ten_single_use_recovery_codes(alice):
    device, codes = enrolled(alice)
    assert device.confirmed and mfa.has_authenticator(user=alice)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(len(code) == 8 for code in codes)
    assert mfa.recovery_codes_left(user=alice) == 10


def test_a_wrong_code_does_not_turn_the_app_on(alice):
    device = mfa.authenticator_start(user=alice)
    wrong = f"{(int(code_at(device)) + 1) % 1_000_000:06d}"
    with pytest.raises(CodeRefused, match="not right"):
        mfa.authenticator_confirm(user=alice, code=wrong)
    assert not mfa.has_authenticator(user=alice)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # the failure was kept, not rolled back


def test_confirming_asks_for_six_digits(alice):
    mfa.authenticator_start(user=alice)
    with pytest.raises(CodeRefused, match="6-digit"):
        mfa.authenticator_confirm(user=alice, code="12345")


def test_confirming_without_a_started_set_up_says_to_start_again(alice):
    with pytest.raises(CodeRefused, match="Start again"):
        mfa.authenticator_confirm(user=alice, code="123456")


def test_an_app_code_is_accepted_once(alice):
    device, _ = enrolled(alice)
    # The set-up used the current code: the next one is accepted, then refused a second time.
    code = code_at(device, steps_from_now=1)
    assert mfa.second_factor_verify(user=alice, code=code).recovery_code_used is False
    with pytest.raises(CodeRefused, match="already used"):
        mfa.second_factor_verify(user=alice, code=code)


def test_an_old_code_is_refused_after_a_newer_one(alice):
    device, _ = enrolled(alice)
    mfa.second_factor_verify(user=alice, code=code_at(device, steps_from_now=1))
    with pytest.raises(CodeRefused):
        mfa.second_factor_verify(user=alice, code=code_at(device, steps_from_now=-1))


def test_a_code_from_far_away_in_time_is_refused(alice):
    device, _ = enrolled(alice)
    with pytest.raises(CodeRefused, match="not right"):
        mfa.second_factor_verify(user=alice, code=code_at(device, steps_from_now=10))


def test_repeated_wrong_codes_are_throttled(alice):
    device, _ = enrolled(alice)
    wrong = f"{(int(code_at(device, steps_from_now=1)) + 1) % 1_000_000:06d}"
    with pytest.raises(CodeRefused) as first:
        mfa.second_factor_verify(user=alice, code=wrong)
    assert not first.value.throttled
    # django-otp now wants a pause before the next try: even the right code waits.
    with pytest.raises(CodeRefused, match="Wait a few seconds") as second:
        mfa.second_factor_verify(user=alice, code=code_at(device, steps_from_now=1))
    assert second.value.throttled
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(minutes=1))
    assert mfa.second_factor_verify(user=alice, code=code_at(device, steps_from_now=1))


def test_a_recovery_code_works_once_with_or_without_its_hyphen_and_in_any_case(alice):
    _device, codes = enrolled(alice)
    factor = mfa.second_factor_verify(user=alice, code=mfa.recovery_code_display(codes[0]).upper())
    assert factor.recovery_code_used and factor.recovery_codes_left == 9
    with pytest.raises(CodeRefused, match="already used"):
        mfa.second_factor_verify(user=alice, code=codes[0])
    StaticDevice.objects.filter(user=alice).update(throttling_failure_timestamp=None, throttling_failure_count=0)
    assert mfa.second_factor_verify(user=alice, code=f" {codes[1][:4]} {codes[1][4:]} ").recovery_codes_left == 8


def test_someone_elses_recovery_code_is_refused(alice, bob):
    enrolled(alice)
    _device, bobs = enrolled(bob)
    with pytest.raises(CodeRefused):
        mfa.second_factor_verify(user=alice, code=bobs[0])
    assert mfa.recovery_codes_left(user=bob) == 10


def test_gibberish_is_refused_with_a_plain_message(alice):
    enrolled(alice)
    for code in ("", "  ", "hello", "12 34", "x" * 30):
        with pytest.raises(CodeRefused):
            mfa.second_factor_verify(user=alice, code=code)


def test_new_recovery_codes_replace_the_old_ones_after_a_current_code(alice):
    device, old = enrolled(alice)
    with pytest.raises(CodeRefused):
        mfa.recovery_codes_regenerate(user=alice, code="000000" if code_at(device) != "000000" else "111111")
    StaticDevice.objects.filter(user=alice).update(throttling_failure_count=0)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    new = mfa.recovery_codes_regenerate(user=alice, code=old[0])
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.filter(device__user=alice).values_list("token", flat=True)) == set(new)


def test_removing_the_app_needs_a_current_code_and_takes_the_recovery_codes_too(alice):
    device, codes = enrolled(alice)
    with pytest.raises(CodeRefused):
        mfa.authenticator_remove(user=alice, code="not-a-code")
    assert mfa.has_authenticator(user=alice)
    mfa.authenticator_remove(user=alice, code=code_at(device, steps_from_now=1))
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert not StaticDevice.objects.filter(user=alice).exists()


def test_the_required_roles_are_comms_admins_and_hr(alice, casey, harper, settings):
    assert settings.MFA_REQUIRED_ROLES == ["Comms admin", "HR"]
    assert (mfa.mfa_required_for(user=alice), mfa.mfa_required_for(user=casey), mfa.mfa_required_for(user=harper)) == (
        False,
        True,
        True,
    )
    settings.MFA_REQUIRED_ROLES = ["HR"]
    assert not mfa.mfa_required_for(user=casey) and mfa.mfa_required_for(user=harper)
    settings.MFA_REQUIRED = False
    assert not mfa.mfa_required_for(user=harper)


def test_the_setup_link_names_the_issuer_and_the_person(alice, settings):
    device = mfa.authenticator_start(user=alice)
    url = urlsplit(device.config_url)
    assert url.scheme == "otpauth" and url.netloc == "totp"
    assert unquote(url.path) == "/Advocacy:alice"
    query = parse_qs(url.query)
    assert query["issuer"] == ["Advocacy"] and query["digits"] == ["6"] and query["period"] == ["30"]
    assert query["secret"][0] == mfa.authenticator_secret(device).replace(" ", "")


def test_the_qr_code_is_an_inline_svg(alice):
    svg = mfa.authenticator_qr_svg(mfa.authenticator_start(user=alice))
    assert svg.startswith("<svg") and "<path" in svg and "<script" not in svg


def test_the_download_of_my_data_says_whether_it_is_on_but_never_the_secret(alice):
    assert mfa.mfa_export(user=alice)["two_step_sign_in"]["authenticator_app"] is False
    device, codes = enrolled(alice)
    section = mfa.mfa_export(user=alice)["two_step_sign_in"]
    assert section["authenticator_app"] is True and section["recovery_codes_left"] == 10
    text = repr(section)
    assert device.key not in text and not any(code in text for code in codes)


def test_erasing_a_person_forgets_their_devices(alice, harper):
    from advocacy.people.services import person_erase

    enrolled(alice)
    person_erase(user=alice, actor=harper)
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert not StaticDevice.objects.filter(user=alice).exists()


def test_settings_refuse_an_unknown_role_or_a_bad_issuer_at_start_up():
    from tests.advocacy.test_settings import _run_django

    result = _run_django(["check"], MFA_REQUIRED_ROLES="Comms admin,Boss")
    assert result.returncode != 0 and "MFA_REQUIRED_ROLES names an unknown role 'Boss'" in result.stderr
    result = _run_django(["check"], MFA_ISSUER_NAME="Acme:Corp")
    assert result.returncode != 0 and "MFA_ISSUER_NAME" in result.stderr


def test_the_demo_says_what_comms_and_hr_logins_should_expect(settings):
    from advocacy.people.demo import demo_two_step_note

    assert "'comms' and 'hr' must set up an authenticator app" in demo_two_step_note()
    assert "MFA_REQUIRED=false" in demo_two_step_note()
    settings.MFA_REQUIRED = False
    assert "optional for everyone" in demo_two_step_note()
