"""Connecting a Threads account: Threads' OAuth, then its long-lived token, refreshed before it lapses.

Offered once the Threads app's id and secret are set (``THREADS_APP_ID``, ``THREADS_APP_SECRET``).

- Authorize: ``GET THREADS_OAUTH_URL?client_id&redirect_uri&scope&response_type=code&state`` with
  ``threads_basic,threads_content_publish,threads_manage_insights`` (read the account, post, read a
  post's insights for the metrics); back with ``code`` and ``state``, or ``error=access_denied``.
- Code exchange: ``POST https://graph.threads.net/oauth/access_token`` (form) with ``client_id``,
  ``client_secret``, ``code``, ``grant_type=authorization_code``, ``redirect_uri``; answers a
  short-lived (one hour) ``access_token`` and the ``user_id``.
- Long-lived token: ``GET /access_token?grant_type=th_exchange_token&client_secret&access_token``
  answers ``{"access_token", "token_type": "bearer", "expires_in": 5183944}`` (60 days). It is
  refreshed with ``GET /refresh_access_token?grant_type=th_refresh_token&access_token`` once it is
  at least a day old and has not lapsed: another 60 days from then. Both take their
  parameters in the query string, as Threads documents; never logged.
- Who: ``GET {METRICS_THREADS_API_URL}/me?fields=id,username``.

Threads offers no token revocation, so disconnecting tells the employee to remove the app in Threads.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from advocacy.http import HttpClient, HttpResponse, TransportError
from advocacy.networks import Network
from advocacy.people.access import permission_required
from advocacy.people.roles import EMPLOYEE_AREA

from ..models import ConnectedAccount
from ..refresh import RefreshFailed
from ..services import connected_account_store
from . import ConnectOption, FlowRefused
from .oauth_session import oauth_state_begin, oauth_state_take

SCOPES = ("threads_basic", "threads_content_publish", "threads_manage_insights")
LONG_LIVED_LIFETIME = timedelta(days=60)
# Refreshed this long before the token lapses: earlier than the lapse reminder's week
# (connections.selectors.REMINDER_LEAD), so a connection kept alive never sends one.
REFRESH_AHEAD = timedelta(days=8)
# Threads refreshes only tokens at least a day old.
REFRESH_MIN_AGE = timedelta(days=1)


class ThreadsRefused(FlowRefused):
    """Threads did not hand over tokens or the account."""


def is_enabled() -> bool:
    return bool(settings.THREADS_APP_ID and settings.THREADS_APP_SECRET)


def connect_option() -> ConnectOption | None:
    if not is_enabled():
        return None
    return ConnectOption(
        network=Network.THREADS,
        how="You sign in on Threads and allow posting and reading your posts' insights; we never see your password.",
    )


def _api_base() -> str:
    return settings.METRICS_THREADS_API_URL.rstrip("/")


def _graph_root() -> str:
    # The OAuth and token endpoints live at the host's root, outside the versioned API path.
    return re.sub(r"/v\d+(\.\d+)?$", "", _api_base())


def _client() -> HttpClient:
    return HttpClient(timeout=settings.METRICS_HTTP_TIMEOUT)


def _redirect_uri() -> str:
    return f"{settings.SITE_URL}{reverse('connections:threads_callback')}"


@permission_required(EMPLOYEE_AREA)
def connect(request):
    if not is_enabled():
        raise Http404("Threads is not set up here.")
    state = oauth_state_begin(request, network=Network.THREADS)
    query = {
        "client_id": settings.THREADS_APP_ID,
        "redirect_uri": _redirect_uri(),
        "scope": ",".join(SCOPES),
        "response_type": "code",
        "state": state,
    }
    return redirect(f"{settings.THREADS_OAUTH_URL}?{urlencode(query)}")


@permission_required(EMPLOYEE_AREA)
def callback(request):
    if not is_enabled():
        raise Http404("Threads is not set up here.")
    remembered = oauth_state_take(request, network=Network.THREADS, state=request.GET.get("state", ""))
    if request.GET.get("error"):
        messages.info(request, "You did not allow access on Threads; nothing was connected.")
        return redirect("connections:my_connections")
    if remembered is None:
        messages.error(request, "That Threads sign-in had expired or was not started here; nothing was connected.")
        return redirect("connections:my_connections")
    try:
        short_lived = _code_exchange(request.GET.get("code", ""))
        long_lived = _token_get(
            "/access_token",
            {
                "grant_type": "th_exchange_token",
                "client_secret": settings.THREADS_APP_SECRET,
                "access_token": short_lived,
            },
        )
        user_id, username = _me(str(long_lived["access_token"]))
        account = _store(person=request.user, tokens=long_lived, user_id=user_id, username=username)
    except ThreadsRefused as exc:
        messages.error(request, f"Threads was not connected: {exc.reason}")
        return redirect("connections:my_connections")
    except ValidationError as exc:
        messages.error(request, f"Threads was not connected: {' '.join(exc.messages)}")
        return redirect("connections:my_connections")
    messages.success(request, f"Threads account {account.handle} connected.")
    return redirect("connections:my_connections")


def _code_exchange(code: str) -> str:
    fields = {
        "client_id": settings.THREADS_APP_ID,
        "client_secret": settings.THREADS_APP_SECRET,
        "code": code,
        "grant_type": "authorization_code",
        "redirect_uri": _redirect_uri(),
    }
    try:
        answer = _client().post_form(f"{_graph_root()}/oauth/access_token", fields=fields)
    except TransportError as exc:
        raise ThreadsRefused(f"Threads did not answer ({exc}); try again in a moment.", retryable=True) from None
    payload = _accepted(answer)
    return str(payload["access_token"])


def _token_get(path: str, query: dict[str, str]) -> dict:
    try:
        answer = _client().get(f"{_graph_root()}{path}?{urlencode(query)}", headers={})
    except TransportError as exc:
        raise ThreadsRefused(f"Threads did not answer ({exc}); try again in a moment.", retryable=True) from None
    return _accepted(answer)


def _accepted(answer: HttpResponse) -> dict:
    payload = answer.json()
    if answer.status == 200 and isinstance(payload, dict) and payload.get("access_token"):
        return payload
    if answer.status == 429 or answer.status >= 500:
        raise ThreadsRefused(f"Threads is busy (HTTP {answer.status}); try again in a moment.", retryable=True)
    raise ThreadsRefused(_graph_error(answer))


def _graph_error(answer: HttpResponse) -> str:
    """Graph errors come as ``{"error": {"message", "code", ...}}`` or, from the OAuth endpoints, flat."""
    payload = answer.json()
    if isinstance(payload, dict):
        error = payload.get("error")
        if isinstance(error, dict) and error.get("message"):
            return f"Threads said: {error['message']}"
        if payload.get("error_message"):
            return f"Threads said: {payload['error_message']}"
    return f"Threads answered HTTP {answer.status}."


def _me(access_token: str) -> tuple[str, str]:
    try:
        answer = _client().get(
            f"{_api_base()}/me?{urlencode({'fields': 'id,username'})}",
            headers={"Authorization": f"Bearer {access_token}"},
        )
    except TransportError as exc:
        raise ThreadsRefused(f"Threads did not say which account this is ({exc}).", retryable=True) from None
    payload = answer.json()
    if answer.status != 200 or not isinstance(payload, dict) or not payload.get("id") or not payload.get("username"):
        raise ThreadsRefused(f"Threads did not say which account this is (HTTP {answer.status}).")
    return str(payload["id"]), str(payload["username"])


def _store(*, person, tokens: dict, user_id: str, username: str) -> ConnectedAccount:
    now = timezone.now()
    try:
        lifetime = timedelta(seconds=int(tokens.get("expires_in") or 0)) or LONG_LIVED_LIFETIME
    except (TypeError, ValueError):
        lifetime = LONG_LIVED_LIFETIME
    token = str(tokens["access_token"])
    expires_at = now + lifetime
    return connected_account_store(
        person=person,
        network=Network.THREADS,
        handle=username,
        remote_account_id=user_id,
        access_token=token,
        # Threads refreshes a long-lived token with the token itself; stored as the refresh token
        # too, so connections.refresh knows this account can be refreshed.
        refresh_token=token,
        scopes=SCOPES,
        expires_at=expires_at,
        access_expires_at=max(expires_at - REFRESH_AHEAD, now + REFRESH_MIN_AGE),
    )


def refresh(account: ConnectedAccount) -> ConnectedAccount:
    """Another 60 days for the account's long-lived token (``grant_type=th_refresh_token``)."""
    try:
        tokens = _token_get(
            "/refresh_access_token", {"grant_type": "th_refresh_token", "access_token": account.refresh_token}
        )
    except ThreadsRefused as exc:
        raise RefreshFailed(
            exc.reason
            if exc.retryable
            else f"Threads refused to renew the connection ({exc.reason}); connect it again.",
            retryable=exc.retryable,
        ) from None
    return _store(person=account.person, tokens=tokens, user_id=account.remote_account_id, username=account.handle)
