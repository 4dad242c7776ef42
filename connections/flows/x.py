"""Connecting an X account: OAuth 2.0 authorization code with PKCE (S256), and refreshing its tokens.

Offered only when the organisation has switched X posting on (``X_POSTING_ENABLED``: X
charges the app per post) and set the app's client id. Without ``X_CLIENT_SECRET`` the app
is a public client (PKCE alone proves it); with it, a confidential client that sends its
id and secret as HTTP Basic to the token endpoints, as X documents.

- Authorize: ``GET X_OAUTH_AUTHORIZE_URL?response_type=code&client_id&redirect_uri&scope&state
  &code_challenge&code_challenge_method=S256``; X comes back with ``code`` and ``state`` (or
  ``error=access_denied`` when the employee cancels).
- Token: ``POST {METRICS_X_API_URL}/2/oauth2/token`` (form) with ``grant_type=authorization_code``,
  ``code``, ``redirect_uri``, ``code_verifier``, ``client_id``; answers ``token_type``, ``expires_in``
  (7200: the access token lasts two hours), ``access_token``, ``scope`` and, with ``offline.access``,
  a ``refresh_token``. ``grant_type=refresh_token`` refreshes; X rotates the refresh token each time,
  so the new one replaces the old (the old one stops working).
- Who: ``GET /2/users/me`` answers ``{"data": {"id", "name", "username"}}``.
- Revoke: ``POST /2/oauth2/revoke`` (form) with ``token``, ``token_type_hint``, ``client_id``.
"""

from __future__ import annotations

import base64
import logging
from datetime import timedelta
from urllib.parse import urlencode

from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
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
from ..revoke import RevokeOutcome, RevokeRequest
from ..services import connected_account_store
from . import ConnectOption, FlowRefused
from .oauth_session import oauth_state_begin, oauth_state_take

log = logging.getLogger(__name__)

# media.write: X's v2 media upload (the post's image) needs it besides tweet.write.
SCOPES = ("tweet.read", "tweet.write", "users.read", "offline.access", "media.write")
# What X documents when a token answer leaves out expires_in.
ACCESS_TOKEN_LIFETIME = timedelta(hours=2)


class XRefused(FlowRefused):
    """X did not hand over tokens or the account."""


def is_enabled() -> bool:
    return bool(settings.X_POSTING_ENABLED and settings.X_CLIENT_ID)


def connect_option() -> ConnectOption | None:
    if not is_enabled():
        return None
    return ConnectOption(
        network=Network.X,
        how="You sign in on X and allow posting; we never see your X password.",
    )


def _api(path: str) -> str:
    return f"{settings.METRICS_X_API_URL.rstrip('/')}{path}"


def _client() -> HttpClient:
    return HttpClient(timeout=settings.METRICS_HTTP_TIMEOUT)


def _client_headers() -> dict[str, str]:
    """HTTP Basic with the client id and secret for a confidential client; nothing for a public one."""
    if not settings.X_CLIENT_SECRET:
        return {}
    pair = f"{settings.X_CLIENT_ID}:{settings.X_CLIENT_SECRET}".encode()
    return {"Authorization": f"Basic {base64.b64encode(pair).decode()}"}


def _redirect_uri() -> str:
    # Registered as the app's callback at X; it must match exactly at the token exchange.
    return f"{settings.SITE_URL}{reverse('connections:x_callback')}"


@permission_required(EMPLOYEE_AREA)
def connect(request):
    """Send the employee to X's consent page with a fresh state and PKCE challenge."""
    if not is_enabled():
        raise Http404("Posting to X is not switched on here.")
    verifier = generate_token(64)  # 64 characters of [A-Za-z0-9]: within RFC 7636's 43 to 128
    state = oauth_state_begin(request, network=Network.X, verifier=verifier)
    query = {
        "response_type": "code",
        "client_id": settings.X_CLIENT_ID,
        "redirect_uri": _redirect_uri(),
        "scope": " ".join(SCOPES),
        "state": state,
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    return redirect(f"{settings.X_OAUTH_AUTHORIZE_URL}?{urlencode(query)}")


@permission_required(EMPLOYEE_AREA)
def callback(request):
    """X sends the employee back here: check the state, exchange the code, store the account."""
    if not is_enabled():
        raise Http404("Posting to X is not switched on here.")
    remembered = oauth_state_take(request, network=Network.X, state=request.GET.get("state", ""))
    if request.GET.get("error"):
        # Cancelled (error=access_denied): nothing to protect, and the state is spent all the same.
        messages.info(request, "You did not allow access on X; nothing was connected.")
        return redirect("connections:my_connections")
    if remembered is None:
        messages.error(request, "That X sign-in had expired or was not started here; nothing was connected.")
        return redirect("connections:my_connections")
    try:
        tokens = _token_request(
            {
                "grant_type": "authorization_code",
                "code": request.GET.get("code", ""),
                "redirect_uri": _redirect_uri(),
                "code_verifier": remembered["verifier"],
                "client_id": settings.X_CLIENT_ID,
            }
        )
        user_id, username = _me(tokens["access_token"])
        account = _store(person=request.user, tokens=tokens, user_id=user_id, username=username)
    except XRefused as exc:
        messages.error(request, f"X was not connected: {exc.reason}")
        return redirect("connections:my_connections")
    except ValidationError as exc:
        messages.error(request, f"X was not connected: {' '.join(exc.messages)}")
        return redirect("connections:my_connections")
    messages.success(request, f"X account {account.handle} connected.")
    return redirect("connections:my_connections")


def _token_request(fields: dict[str, str]) -> dict:
    """POST to X's token endpoint; the parsed answer with an access token, or XRefused saying why."""
    try:
        answer = _client().post_form(_api("/2/oauth2/token"), fields=fields, headers=_client_headers())
    except TransportError as exc:
        raise XRefused(f"X did not answer ({exc}); try again in a moment.", retryable=True) from None
    payload = answer.json()
    if answer.status == 200 and isinstance(payload, dict) and payload.get("access_token"):
        return payload
    if answer.status == 429 or answer.status >= 500:
        raise XRefused(f"X is busy (HTTP {answer.status}); try again in a moment.", retryable=True)
    raise XRefused(_oauth_error(answer))


def _oauth_error(answer: HttpResponse) -> str:
    payload = answer.json()
    if isinstance(payload, dict):
        described = payload.get("error_description") or payload.get("detail") or payload.get("error")
        if described:
            return f"X said: {described}"
    return f"X answered HTTP {answer.status}."


def _me(access_token: str) -> tuple[str, str]:
    try:
        answer = _client().get(_api("/2/users/me"), headers={"Authorization": f"Bearer {access_token}"})
    except TransportError as exc:
        raise XRefused(f"X did not say which account this is ({exc}).", retryable=True) from None
    payload = answer.json()
    data = payload.get("data") if isinstance(payload, dict) else None
    if answer.status != 200 or not isinstance(data, dict) or not data.get("id") or not data.get("username"):
        raise XRefused(f"X did not say which account this is (HTTP {answer.status}).")
    return str(data["id"]), str(data["username"])


def _store(*, person, tokens: dict, user_id: str, username: str, refresh_token: str = "") -> ConnectedAccount:
    now = timezone.now()
    try:
        lifetime = timedelta(seconds=int(tokens.get("expires_in") or 0)) or ACCESS_TOKEN_LIFETIME
    except (TypeError, ValueError):
        lifetime = ACCESS_TOKEN_LIFETIME
    refresh_token = str(tokens.get("refresh_token") or refresh_token)
    access_expires_at = now + lifetime
    return connected_account_store(
        person=person,
        network=Network.X,
        handle=f"@{username}",
        remote_account_id=user_id,
        access_token=str(tokens["access_token"]),
        refresh_token=refresh_token,
        scopes=str(tokens.get("scope") or "").split(),
        # X documents no end for a refresh token that keeps being used: the connection lasts until
        # revoked. Without one (offline.access refused) it ends with the two-hour access token.
        expires_at=None if refresh_token else access_expires_at,
        access_expires_at=access_expires_at,
        oauth_client_id=settings.X_CLIENT_ID,
    )


def refresh(account: ConnectedAccount) -> ConnectedAccount:
    """New tokens for the account (``grant_type=refresh_token``); the rotated refresh token is kept."""
    if not settings.X_CLIENT_ID:
        raise RefreshFailed("X is not configured here any more; its tokens cannot be refreshed.")
    try:
        tokens = _token_request(
            {"grant_type": "refresh_token", "refresh_token": account.refresh_token, "client_id": settings.X_CLIENT_ID}
        )
    except XRefused as exc:
        raise RefreshFailed(
            exc.reason if exc.retryable else f"X refused to renew the connection ({exc.reason}); connect it again.",
            retryable=exc.retryable,
        ) from None
    # X's token answer does not name the account: it stays the one already stored.
    return _store(
        person=account.person,
        tokens=tokens,
        user_id=account.remote_account_id,
        username=account.handle.lstrip("@"),
        # Should X ever not rotate it, the current refresh token still works.
        refresh_token=account.refresh_token,
    )


def revoke(request: RevokeRequest) -> RevokeOutcome:
    """``POST /2/oauth2/revoke`` for the access token (connections.revoke's hook for X)."""
    if not settings.X_CLIENT_ID:
        return RevokeOutcome(False, "X is not configured here, so the token was not revoked there.")
    fields = {"token": request.token, "token_type_hint": "access_token", "client_id": settings.X_CLIENT_ID}
    try:
        answer = _client().post_form(_api("/2/oauth2/revoke"), fields=fields, headers=_client_headers())
    except TransportError as exc:
        return RevokeOutcome(False, f"X did not answer ({exc}); remove the app in X's settings too.")
    if answer.status == 200:
        return RevokeOutcome(True, "X revoked the token.")
    log.info("connections: X revoke answered HTTP %s", answer.status)
    return RevokeOutcome(False, f"X answered HTTP {answer.status}; remove the app in X's settings too.")
