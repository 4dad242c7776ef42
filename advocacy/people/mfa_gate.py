"""Until someone who must use two-step sign-in has set it up, their session reaches the set-up pages only.

The password step marks the session (``ENROL_REQUIRED_KEY``) when the person's role requires a
second factor and they have none; finishing the set-up clears it. Reading one session key keeps
every other request free of queries. Pages redirect to the set-up; the API answers 403 with the
reason, so a script riding the same session cookie cannot go around the pages. Sessions from
single sign-on are never marked: the identity provider owns their second factor.
"""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode

ENROL_REQUIRED_KEY = "mfa_enrol_required"
# Set by the local password sign-in (both steps), so a later change (removing the app) knows
# whether this session must set it up again; single sign-on sessions do not carry it.
PASSWORD_SIGN_IN_KEY = "password_sign_in"  # noqa: S105 - a session key, not a password

ALLOWED_URL_NAMES = frozenset(
    {
        "logout",
        "people:security_setup",
        "people:security_codes",
        "people:security_codes_download",
    }
)


def _url_name(request) -> str:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return ""


class MfaEnrolmentGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        held = request.user.is_authenticated and request.session.get(ENROL_REQUIRED_KEY)
        if held and _url_name(request) not in ALLOWED_URL_NAMES:
            setup = reverse("people:security_setup")
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": f"Set up two-step sign-in first, at {setup}."}, status=403)
            if request.method == "GET":
                setup = f"{setup}?{urlencode({'next': request.get_full_path()})}"
            return redirect(setup)
        return self.get_response(request)
