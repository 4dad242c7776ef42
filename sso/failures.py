"""What a failed sign-in shows and logs: one exception, one page, never a token in the log."""

import logging

from django.conf import settings
from django.shortcuts import render

logger = logging.getLogger("sso")


class SignInFailure(Exception):
    """A sign-in through the identity provider that cannot go on.

    `message` is the sentence the person reads; `reason` is what the log keeps (an error code,
    a library's error name — never a code, state, assertion or token).
    """

    def __init__(self, message: str, *, reason: str, status: int = 400, retry: bool = True):
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.status = status
        self.retry = retry


def failure_page(request, failure: SignInFailure, *, protocol: str):
    logger.warning("sso sign-in failed protocol=%s status=%s reason=%s", protocol, failure.status, failure.reason)
    context = {
        "message": failure.message,
        "retry": failure.retry,
        "company": settings.SSO_COMPANY_NAME,
        "help_contact": settings.SSO_HELP_CONTACT,
    }
    return render(request, "sso/failure.html", context, status=failure.status)
