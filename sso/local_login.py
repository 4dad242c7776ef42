"""LOCAL_LOGIN: who may still sign in with a username and password once single sign-on is on.

A backend placed before ModelBackend, so every password form (our login page, the admin's)
obeys it. It checks the password first, so a refusal tells nothing to someone who does not
know it, and raises a ValidationError: AuthenticationForm shows that sentence instead of
"wrong password", and a refused person is not counted as a failed attempt by the lockout.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError


def local_login_allowed_for(user) -> bool:
    if settings.LOCAL_LOGIN == "all":
        return True
    return settings.LOCAL_LOGIN == "admins" and user.is_superuser


def refusal_message() -> str:
    company = settings.SSO_COMPANY_NAME
    if settings.LOCAL_LOGIN == "off":
        return f"Signing in with a password is turned off here. Use “Sign in with {company}”."
    return f"Passwords here are only for administrators. Use “Sign in with {company}” instead."


class LocalLoginPolicyBackend:
    """Only refuses; never signs anyone in, and (without get_user) never owns a session."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if settings.LOCAL_LOGIN == "all" or username is None or password is None:
            return None
        if settings.LOCAL_LOGIN == "off":
            raise ValidationError(refusal_message(), code="local_login_off")
        user = get_user_model()._default_manager.filter(**{get_user_model().USERNAME_FIELD: username}).first()
        if user is not None and user.check_password(password) and not local_login_allowed_for(user):
            raise ValidationError(refusal_message(), code="local_login_admins_only")
        return None  # ModelBackend decides, and a wrong password counts as a failure as usual.
