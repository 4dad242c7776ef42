"""Two-step sign-in for local accounts: an authenticator app (TOTP) and single-use recovery codes.

Built on django-otp's TOTP and static-token devices, which already refuse a code that was used
before (``TOTPDevice.last_t``) and slow down repeated wrong codes per device (exponential
throttling). What this module adds is the product's rules:

* one authenticator app per person, active only once a code from it was typed (``confirmed``);
* ten recovery codes, shown once, each accepted once, replaced as a set;
* removing the app or making new codes needs a current code, so a session left open is not enough;
* who *must* use it: the roles in ``MFA_REQUIRED_ROLES`` when they sign in with a password.

Failed codes at sign-in also count towards the login lockout (username from one address); that
part lives with the views (``mfa_views.py``), which know the request.
"""

import base64
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django_otp.oath import hotp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"


class CodeRefused(Exception):
    """A code was not accepted; the message says why in words a person can act on."""

    def __init__(self, message: str, *, throttled: bool = False):
        super().__init__(message)
        # Throttled: no code could have been accepted right now, so the attempt says nothing about the code.
        self.throttled = throttled


@dataclass(frozen=True)
class SecondFactor:
    """What verified a person: their app, or one of their recovery codes (now spent)."""

    device: TOTPDevice | StaticDevice
    recovery_code_used: bool
    recovery_codes_left: int


# --- Reads --------------------------------------------------------------------


def authenticator_for(*, user: User) -> TOTPDevice | None:
    """The person's active authenticator app, if they set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_authenticator(*, user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def mfa_required_for(*, user: User) -> bool:
    """Must this person use two-step sign-in when they sign in with a password?"""
    if not settings.MFA_REQUIRED or not settings.MFA_REQUIRED_ROLES:
        return False
    return user.groups.filter(name__in=settings.MFA_REQUIRED_ROLES).exists()


def authenticator_secret(device: TOTPDevice) -> str:
    """The secret as people type it into an app without a camera: base32 in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def authenticator_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// link as an inline SVG QR code (drawn here: no script, no outside service)."""
    return segno.make(device.config_url, error="m").svg_inline(
        border=4, dark="#000", light="#fff", omitsize=True, title="QR code for your authenticator app"
    )


def recovery_code_display(code: str) -> str:
    """``abcdefgh`` as ``abcd-efgh``: easier to copy by hand; both spellings are accepted."""
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _is_app_code(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


def _code_already_used(device: TOTPDevice, code: str) -> bool:
    """Was this exactly the code last accepted from the app? (Replays are refused; this names why.)"""
    return device.last_t >= 0 and hotp(device.bin_key, device.last_t, digits=device.digits) == int(code)


def _throttled(device) -> bool:
    allowed, _details = device.verify_is_allowed()
    return not allowed


# --- Writes -------------------------------------------------------------------


@transaction.atomic
def authenticator_start(*, user: User) -> TOTPDevice:
    """The app being set up: the one already started (so a reload keeps the QR code), or a new secret."""
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if pending is not None:
        return pending
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def authenticator_confirm(*, user: User, code: str) -> list[str]:
    """Turn the app on once it shows a right code; returns the first ten recovery codes (shown once)."""
    code = _normalise(code)
    if not _is_app_code(code):
        raise CodeRefused("Enter the 6-digit code your authenticator app shows.")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
        if device is None:
            raise CodeRefused("This set-up has expired or is already finished. Start again.")
        throttled = _throttled(device)
        # verify_token saves a failure count on the device: it must commit, so refuse after the block.
        accepted = not throttled and device.verify_token(code)
        if accepted:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            codes = _recovery_codes_replace(user=user)
    if throttled:
        raise CodeRefused(
            "Too many wrong codes in a row. Wait a few seconds, then enter the newest code.", throttled=True
        )
    if not accepted:
        raise CodeRefused(
            "That code is not right. Check that your phone's clock is set automatically and enter the newest code."
        )
    return codes


def _recovery_codes_replace(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_CODES_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def second_factor_verify(*, user: User, code: str) -> SecondFactor:
    """Check a 6-digit app code or a recovery code; raise CodeRefused saying why it was not accepted.

    A recovery code is spent by being accepted; an app code cannot be accepted twice (nor any
    code older than the last one accepted).
    """
    code = _normalise(code)
    if not code:
        raise CodeRefused("Enter the 6-digit code from your authenticator app, or a recovery code.")
    recovery = not _is_app_code(code)
    with transaction.atomic():
        if recovery:
            device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        else:
            device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
        throttled = device is not None and _throttled(device)
        replayed = not recovery and device is not None and not throttled and _code_already_used(device, code)
        accepted = device is not None and not throttled and device.verify_token(code)
    if accepted:
        return SecondFactor(
            device=device, recovery_code_used=recovery, recovery_codes_left=recovery_codes_left(user=user)
        )
    if throttled:
        raise CodeRefused("Too many wrong codes in a row. Wait a few seconds, then try again.", throttled=True)
    if replayed:
        raise CodeRefused("That code was already used. Wait for your app to show a new one and enter that.")
    if recovery:
        if device is None or len(code) != 8:
            raise CodeRefused(
                "That is not a 6-digit code from your app, nor one of your recovery codes. Check it and try again."
            )
        raise CodeRefused("That recovery code is not right, or it was already used. Each one works once.")
    if device is None:
        raise CodeRefused("You have no authenticator app set up. Use one of your recovery codes.")
    raise CodeRefused(
        "That code is not right. Enter the newest code from your authenticator app "
        "(check that your phone's clock is set automatically), or use a recovery code."
    )


def recovery_codes_regenerate(*, user: User, code: str) -> list[str]:
    """Replace every recovery code (the old ones stop working) after a current code proves it is them."""
    second_factor_verify(user=user, code=code)
    with transaction.atomic():
        return _recovery_codes_replace(user=user)


def authenticator_remove(*, user: User, code: str) -> None:
    """Turn two-step sign-in off: the app and the recovery codes go, after a current code."""
    second_factor_verify(user=user, code=code)
    with transaction.atomic():
        mfa_devices_delete(user=user)


def mfa_devices_delete(*, user: User) -> None:
    """Forget every device of a person (removal, erasure; an admin may do it for a lost phone)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def mfa_export(*, user: User) -> dict:
    """The "Download my data" section: whether it is on and when it was used, never a secret or a code."""
    app = authenticator_for(user=user)
    return {
        "two_step_sign_in": {
            "authenticator_app": app is not None,
            "authenticator_added_at": app.created_at.isoformat() if app and app.created_at else None,
            "authenticator_last_used_at": app.last_used_at.isoformat() if app and app.last_used_at else None,
            "recovery_codes_left": recovery_codes_left(user=user),
        }
    }
