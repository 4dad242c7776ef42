"""Tracked links answered straight after the security middleware, not through the whole stack.

A click on /s/<code> needs no session, user, CSRF token, messages or login-attempt
tracking, and most of the time is a 302 with an empty body; passing it through those
layers cost a fifth of the redirect's throughput. This middleware sits right after
SecurityMiddleware (HSTS, nosniff, referrer and opener policies stay set by it) and
answers the link itself, adding the two headers of the layers it skips
(X-Frame-Options and the Content-Security-Policy) with those same middlewares' code.

Only a redirect, a 429 or a 503 is answered here: a link that leads to a page (410, or
the 404 for an unknown code) goes on through the full stack with the click already
captured on the request, so it is captured once and the page renders as any other.
Like the view, nothing here logs or keeps the client address.
"""

from csp.middleware import CSPMiddleware
from django.middleware.clickjacking import XFrameOptionsMiddleware

from .links import is_valid_code

PREFIX = "/s/"


class TrackedLinkMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.headers = [XFrameOptionsMiddleware(get_response), CSPMiddleware(get_response)]

    def __call__(self, request):
        path = request.path_info
        code = path[len(PREFIX) :]
        if not path.startswith(PREFIX) or request.method not in ("GET", "HEAD") or not is_valid_code(code):
            return self.get_response(request)
        from .views import tracked_capture, tracked_response_without_page

        request.tracked_outcome = tracked_capture(request, code)
        response = tracked_response_without_page(request.tracked_outcome)
        if response is None:
            return self.get_response(request)
        for middleware in self.headers:
            response = middleware.process_response(request, response)
        return response
