"""Sessions end after SESSION_IDLE_MINUTES without a request, wherever the person left them open."""

import time

from django.conf import settings
from django.contrib.auth import logout

LAST_SEEN_KEY = "last_seen"
# Writing the session on every request would cost a database write per page: the stamp is renewed
# once a tenth of the idle time has passed, so a session ends between 90% and 100% of it after the last request.
TOUCH_FRACTION = 10


def session_seen_at_login(sender, request, user, **kwargs):
    """Stamped at login, which saves the session anyway, so the first page after it writes nothing."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = int(time.time())


class SessionIdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
            elif last_seen is None or now - last_seen >= settings.SESSION_IDLE_MINUTES * 60 // TOUCH_FRACTION:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
