"""The one way a person signed in by the identity provider becomes signed in here."""

from django.contrib.auth import login

from advocacy.people.identity import PersonAttributes, person_sync

SESSION_KEY = "sso"
# Sessions made here are read back by the model backend (is_active is checked on every request).
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


def sso_sign_in(*, request, attributes: PersonAttributes, protocol: str, logout: dict | None = None):
    """Create (just in time) or update the person through the identity mapping, then sign them in.

    `logout` is what RP-initiated logout needs later (the ID token hint); it lives in the session.
    A refused identity raises IdentityRefused (the views' sign_in_step turns it into the failure page).
    """
    user = person_sync(attributes=attributes)
    login(request, user, backend=SESSION_BACKEND)
    request.session[SESSION_KEY] = {"protocol": protocol, **(logout or {})}
    return user
