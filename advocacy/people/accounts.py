"""Writes around signing in: password-reset requests, their throttle, and what a reset unlocks.

Every answer to a reset request is the same whether or not the address belongs to someone:
the throttle counts what was typed (and where from), never whether it matched an account.
"""

import hashlib
import hmac
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .lockout import lockout_clear_for
from .models import User


class ResetThrottled(Exception):
    """Too many reset requests from this address or for this email address (the message says which)."""


def _key(kind: str, value: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"password-reset:{kind}:{digest[:32]}"


def _count(key: str, window_seconds: int) -> int:
    if cache.add(key, 1, timeout=window_seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds)
        return 1


def password_reset_throttle(*, address: str, email: str) -> None:
    """Count one reset request; raise ResetThrottled once the address or the email is over its limit."""
    window = settings.PASSWORD_RESET_WINDOW_MINUTES * 60
    minutes = settings.PASSWORD_RESET_WINDOW_MINUTES
    if _count(_key("address", address), window) > settings.PASSWORD_RESET_LIMIT_PER_ADDRESS:
        raise ResetThrottled(f"Too many reset requests from your network. Try again in {minutes} minutes.")
    if _count(_key("email", email.strip().casefold()), window) > settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT:
        raise ResetThrottled(
            f"A reset link was already sent to this address several times. Check your inbox (and spam folder) "
            f"or try again in {minutes} minutes."
        )


@transaction.atomic
def password_reset_request(*, email: str) -> None:
    """Queue a reset email to every active account with this address (none: nothing happens)."""
    from .tasks import send_password_reset_email

    for user in PasswordResetForm().get_users(email):
        transaction.on_commit(lambda user_id=user.pk: send_password_reset_email.delay(user_id))


def password_reset_email_send(*, user_id: int) -> bool:
    """Build and send the reset link (in the worker). Skipped if the account can no longer reset."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password() or not user.email:
        return False
    site = urlsplit(settings.SITE_URL)
    context = {
        "email": user.email,
        "domain": site.netloc,
        "site_name": site.netloc,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": site.scheme,
    }
    PasswordResetForm().send_mail(
        "registration/password_reset_subject.txt",
        "registration/password_reset_email.html",
        context,
        None,
        user.email,
    )
    return True


def password_reset_completed(*, user: User) -> None:
    """The owner proved the account by email: failed logins typed for it no longer lock it anywhere."""
    lockout_clear_for(username=user.username)
