"""A comms admin sets up two-step sign-in in Chromium, then signs in with a code and with a recovery code.

The code is computed here from the key the page shows, exactly as an authenticator app does (RFC 6238).
"""

import base64
import re
import time

import pytest
from django_otp.oath import hotp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STEP = 30


def _key_from_page(page) -> bytes:
    text = page.locator("#setup-key").inner_text().replace(" ", "")
    return base64.b32decode(text + "=" * (-len(text) % 8))


def _code(key: bytes, *, after_step: int = -1) -> tuple[str, int]:
    """The app's code now, or the next one if this one was used already (a code works once)."""
    step = int(time.time()) // STEP
    if step <= after_step:
        step = after_step + 1  # the next step's code is accepted a step early (tolerance 1)
    return f"{hotp(key, step):06d}", step


def _password(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("advocacy-demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _log_out(page, live_server):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")


def test_a_comms_admin_sets_up_two_step_sign_in_and_signs_in_with_codes(page, live_server, casey, tmp_path):
    _password(page, live_server, "casey")
    assert page.url.startswith(f"{live_server.url}/profile/security/setup/")
    assert page.get_by_role("heading", name="Set up two-step sign-in").is_visible()
    assert page.locator(".qr-code svg").is_visible()

    # Nothing else opens until it is set up.
    page.goto(f"{live_server.url}/library/")
    assert page.url.startswith(f"{live_server.url}/profile/security/setup/?next=")

    key = _key_from_page(page)
    page.get_by_label("Code from your app").fill("000000" if _code(key)[0] != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    assert "That code is not right" in page.locator(".field .error").inner_text()

    time.sleep(1.1)  # django-otp asks for a second's pause after a wrong code
    code, used_step = _code(key)
    page.get_by_label("Code from your app").fill(code)
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Recovery codes").is_visible()
    shown = page.locator(".recovery-codes code").all_inner_texts()
    assert len(shown) == 10 and all(re.fullmatch(r"[a-z2-7]{4}-[a-z2-7]{4}", code) for code in shown)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as a text file").click()
    saved = tmp_path / "codes.txt"
    download_info.value.save_as(saved)
    assert [line for line in saved.read_text().splitlines() if line in shown] == shown

    page.get_by_role("button", name="I have saved my codes").click()
    page.wait_for_url(f"{live_server.url}/library/")
    _log_out(page, live_server)

    # Second sign-in: password, then a fresh code from the app.
    _password(page, live_server, "casey")
    assert page.url == f"{live_server.url}/accounts/login/code/"
    assert page.get_by_text("Enter the 6-digit code from your authenticator app").is_visible()
    page.get_by_label("Code").fill(code)  # the one used at set-up: refused
    page.get_by_role("button", name="Continue").click()
    assert "already used" in page.locator(".field .error").inner_text()
    time.sleep(1.1)
    fresh, _ = _code(key, after_step=used_step)
    page.get_by_label("Code").fill(fresh)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/")
    _log_out(page, live_server)

    # Third: a recovery code instead of the phone.
    _password(page, live_server, "casey")
    page.get_by_label("Code").fill(shown[0])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "You have 9 left" in page.locator(".messages").inner_text()
