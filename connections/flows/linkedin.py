"""Connecting a LinkedIn member account: OAuth 2.0 authorization code flow (3-legged).

1. ``connect_linkedin`` remembers a one-time ``state`` in the session, bound to the signed-in
   user, and sends the browser to ``{LINKEDIN_OAUTH_URL}/authorization`` asking for
   ``openid profile w_member_social`` (+ ``r_member_postAnalytics`` when the organisation's app
   has it: ``LINKEDIN_MEMBER_ANALYTICS``).
2. LinkedIn sends the member back to ``linkedin_callback`` with ``code`` and ``state``, or with
   ``error`` (``user_cancelled_authorize`` when they pressed Cancel) and ``error_description``.
3. The code is redeemed at ``POST {LINKEDIN_OAUTH_URL}/accessToken`` (form: grant_type, code,
   redirect_uri, client_id, client_secret), which answers ``access_token``, ``expires_in`` (60
   days), ``scope`` and, for the partners LinkedIn lets refresh programmatically,
   ``refresh_token`` and ``refresh_token_expires_in`` (a year from the first grant).
4. ``GET {METRICS_LINKEDIN_API_URL}/v2/userinfo`` (OpenID Connect) names the member: ``sub`` is
   the person id of ``urn:li:person:{sub}``, ``name`` what the health page shows.

Whatever goes wrong, nothing is saved and the token-health page says what happened. Tokens and
the client secret never reach a log line or a message.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
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
from . import ConnectOption

log = logging.getLogger(__name__)

BASE_SCOPES = ("openid", "profile", "w_member_social")
ANALYTICS_SCOPE = "r_member_postAnalytics"
PENDING_KEY = "connections_linkedin_pending"
# A person may start connecting from a few tabs; older attempts beyond this are forgotten.
PENDING_LIMIT = 5
# LinkedIn's consent page is quick; an answer older than this is refused as stale.
STATE_MAX_AGE_SECONDS = 15 * 60
# What LinkedIn answers when the member presses Cancel (or declines to sign in).
_CANCELLED = {"user_cancelled_authorize", "user_cancelled_login", "access_denied"}


class ConnectFailed(Exception):
    """Connecting did not work; the message is shown to the employee as it is."""


def connect_option() -> ConnectOption | None:
    if not (settings.LINKEDIN_CLIENT_ID and settings.LINKEDIN_CLIENT_SECRET):
        return None
    return ConnectOption(
        network=Network.LINKEDIN,
        how="Sign in on LinkedIn and allow posting on your behalf; we never see your LinkedIn password.",
    )


def requested_scopes() -> tuple[str, ...]:
    return BASE_SCOPES + ((ANALYTICS_SCOPE,) if settings.LINKEDIN_MEMBER_ANALYTICS else ())


def redirect_uri() -> str:
    """The address to register as the app's "Authorized redirect URL" at LinkedIn."""
    return settings.SITE_URL.rstrip("/") + reverse("connections:linkedin_callback")


def _oauth_url(path: str) -> str:
    return f"{settings.LINKEDIN_OAUTH_URL.rstrip('/')}/{path}"


def _http() -> HttpClient:
    return HttpClient(timeout=settings.METRICS_HTTP_TIMEOUT)


# --- starting ---------------------------------------------------------------------------------------


def authorization_start(*, session, user) -> str:
    """Remember a new one-time state for ``user`` in the session; LinkedIn's authorization URL."""
    state = generate_token(32)
    pending = dict(session.get(PENDING_KEY) or {})
    pending[state] = {"user": user.pk, "started_at": time.time()}
    session[PENDING_KEY] = dict(sorted(pending.items(), key=lambda item: item[1]["started_at"])[-PENDING_LIMIT:])
    params = [
        ("response_type", "code"),
        ("client_id", settings.LINKEDIN_CLIENT_ID),
        ("redirect_uri", redirect_uri()),
        ("state", state),
        ("scope", " ".join(requested_scopes())),
    ]
    return add_params_to_uri(_oauth_url("authorization"), params)


def _take_pending(*, session, user, state: str) -> None:
    """Use up the state (whatever follows, it cannot be replayed); ConnectFailed unless it was this user's."""
    pending = dict(session.get(PENDING_KEY) or {})
    attempt = pending.pop(state, None) if state else None
    session[PENDING_KEY] = pending
    if attempt is None or attempt.get("user") != user.pk:
        raise ConnectFailed(
            "This LinkedIn answer does not belong to a connection started here (or it was already used). "
            "Nothing was connected; start again below."
        )
    if time.time() - attempt["started_at"] > STATE_MAX_AGE_SECONDS:
        raise ConnectFailed("Connecting LinkedIn took too long and has expired. Nothing was connected; start again.")


# --- finishing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrantedTokens:
    access_token: str = field(repr=False)
    access_expires_at: datetime | None
    refresh_token: str = field(repr=False)
    refresh_expires_at: datetime | None
    scopes: tuple[str, ...]

    @property
    def connection_lapses_at(self) -> datetime | None:
        # With a refresh token the connection lasts as long as it does; without, as long as the access token.
        return self.refresh_expires_at if self.refresh_token else self.access_expires_at


def _seconds(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _granted(payload: dict, *, now: datetime, scopes_asked: tuple[str, ...]) -> GrantedTokens:
    access_token = payload.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise ConnectFailed("LinkedIn sent no access token. Nothing was connected; try again.")
    expires_in = _seconds(payload.get("expires_in"))
    refresh_token = payload.get("refresh_token") if isinstance(payload.get("refresh_token"), str) else ""
    refresh_in = _seconds(payload.get("refresh_token_expires_in"))
    raw_scope = payload.get("scope")
    # LinkedIn lists granted scopes comma-separated; accept spaces too (RFC 6749).
    scopes = tuple(s for s in str(raw_scope).replace(",", " ").split() if s) if raw_scope else scopes_asked
    return GrantedTokens(
        access_token=access_token,
        access_expires_at=now + timedelta(seconds=expires_in) if expires_in else None,
        refresh_token=refresh_token,
        refresh_expires_at=now + timedelta(seconds=refresh_in) if refresh_token and refresh_in else None,
        scopes=scopes,
    )


def _oauth_error(response: HttpResponse) -> str:
    payload = response.json()
    if isinstance(payload, dict):
        said = str(payload.get("error_description") or payload.get("error") or "").strip()[:300]
        if said:
            return said
    return f"HTTP {response.status}"


def _token_request(fields: dict[str, str]) -> HttpResponse:
    form = {**fields, "client_id": settings.LINKEDIN_CLIENT_ID, "client_secret": settings.LINKEDIN_CLIENT_SECRET}
    return _http().post_form(_oauth_url("accessToken"), fields=form)


def code_redeem(*, code: str, now: datetime) -> GrantedTokens:
    try:
        response = _token_request({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri()})
    except TransportError as exc:
        raise ConnectFailed(f"LinkedIn did not answer ({exc}). Nothing was connected; try again.") from None
    if response.status != 200 or not isinstance(response.json(), dict):
        raise ConnectFailed(
            f"LinkedIn would not exchange the sign-in for a token ({_oauth_error(response)}). "
            "Nothing was connected; try again."
        )
    return _granted(response.json(), now=now, scopes_asked=requested_scopes())


@dataclass(frozen=True)
class Member:
    person_id: str
    name: str


def member_identify(*, access_token: str) -> Member:
    """Who the token belongs to, from OpenID Connect's userinfo."""
    url = f"{settings.METRICS_LINKEDIN_API_URL.rstrip('/')}/v2/userinfo"
    try:
        response = _http().get(url, headers={"Authorization": f"Bearer {access_token}"})
    except TransportError as exc:
        raise ConnectFailed(f"LinkedIn did not say who you are ({exc}). Nothing was connected; try again.") from None
    payload = response.json()
    if response.status != 200 or not isinstance(payload, dict):
        raise ConnectFailed(f"LinkedIn did not say who you are (HTTP {response.status}). Nothing was connected.")
    person_id = payload.get("sub")
    if not isinstance(person_id, str) or not person_id.strip():
        raise ConnectFailed("LinkedIn did not say which member this is. Nothing was connected.")
    name = payload.get("name") if isinstance(payload.get("name"), str) else ""
    if not name.strip():
        name = " ".join(str(payload.get(k) or "") for k in ("given_name", "family_name")).strip()
    return Member(person_id=person_id.strip(), name=name.strip() or person_id.strip())


def authorization_finish(*, session, user, params, now: datetime | None = None) -> ConnectedAccount:
    """Check LinkedIn's answer, redeem the code, name the member and store the account (or ConnectFailed)."""
    _take_pending(session=session, user=user, state=params.get("state", ""))
    error = params.get("error", "")
    if error:
        if error in _CANCELLED:
            raise ConnectFailed("You cancelled on LinkedIn, so nothing was connected. Sharing works as before.")
        said = params.get("error_description", "").strip()[:300]
        raise ConnectFailed(f"LinkedIn refused the connection: {said or error[:60]}. Nothing was connected.")
    code = params.get("code", "")
    if not code:
        raise ConnectFailed("LinkedIn's answer carried no authorization code. Nothing was connected; start again.")
    now = now or timezone.now()
    tokens = code_redeem(code=code, now=now)
    member = member_identify(access_token=tokens.access_token)
    try:
        return connected_account_store(
            person=user,
            network=Network.LINKEDIN,
            handle=member.name,
            remote_account_id=member.person_id,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            scopes=tokens.scopes,
            expires_at=tokens.connection_lapses_at,
            access_expires_at=tokens.access_expires_at if tokens.refresh_token else None,
        )
    except ValidationError as exc:
        raise ConnectFailed(" ".join(exc.messages)) from None


# --- refreshing -------------------------------------------------------------------------------------


def refresh(account: ConnectedAccount) -> ConnectedAccount:
    """New tokens with the refresh token (only some partners get one); RefreshFailed otherwise."""
    if not account.refresh_token_encrypted:
        raise RefreshFailed("LinkedIn gave no refresh token for this connection; connect the account again.")
    now = timezone.now()
    try:
        response = _token_request({"grant_type": "refresh_token", "refresh_token": account.refresh_token})
    except TransportError as exc:
        raise RefreshFailed(f"LinkedIn did not answer ({exc}).", retryable=True) from None
    if response.status == 429 or response.status >= 500:
        raise RefreshFailed(f"LinkedIn could not refresh the token just now (HTTP {response.status}).", retryable=True)
    if response.status != 200 or not isinstance(response.json(), dict):
        raise RefreshFailed(f"LinkedIn would not refresh the token ({_oauth_error(response)}); connect again.")
    try:
        tokens = _granted(response.json(), now=now, scopes_asked=tuple(account.scopes.split()))
    except ConnectFailed as exc:
        raise RefreshFailed(str(exc)) from None
    refresh_token = tokens.refresh_token or account.refresh_token
    refresh_lapses = tokens.refresh_expires_at if tokens.refresh_token else account.expires_at
    return connected_account_store(
        person=account.person,
        network=Network.LINKEDIN,
        handle=account.handle,
        remote_account_id=account.remote_account_id,
        access_token=tokens.access_token,
        refresh_token=refresh_token,
        scopes=tokens.scopes,
        expires_at=refresh_lapses,
        access_expires_at=tokens.access_expires_at,
    )


# --- views ------------------------------------------------------------------------------------------


@permission_required(EMPLOYEE_AREA)
def connect_linkedin(request):
    if connect_option() is None:
        messages.error(request, "LinkedIn accounts cannot be connected here: the organisation has not set it up.")
        return redirect("connections:my_connections")
    return redirect(authorization_start(session=request.session, user=request.user))


@permission_required(EMPLOYEE_AREA)
def linkedin_callback(request):
    if connect_option() is None:
        messages.error(request, "LinkedIn accounts cannot be connected here: the organisation has not set it up.")
        return redirect("connections:my_connections")
    try:
        account = authorization_finish(session=request.session, user=request.user, params=request.GET)
    except ConnectFailed as exc:
        log.info("connections: connecting LinkedIn for user %s failed: %s", request.user.pk, exc)
        messages.error(request, str(exc))
        return redirect("connections:my_connections")
    messages.success(request, f"LinkedIn account {account.handle} connected.")
    return redirect("connections:my_connections")
