"""Connecting a Bluesky account with an app password, and refreshing and ending its session.

atproto OAuth needs a public client-metadata document and DPoP-bound tokens from every PDS; an
app password is what Bluesky itself offers third-party tools, revocable on its own in Bluesky's
settings and unable to change the account's password, email or app passwords. The employee
types their handle (or email) and an app password; we use it once and keep only the session.

- Sign in: ``POST {CONNECTIONS_BLUESKY_SERVICE_URL}/xrpc/com.atproto.server.createSession``
  (JSON ``{"identifier", "password"}``) answers ``{"did", "handle", "accessJwt", "refreshJwt",
  "didDoc"?, ...}``. Errors are ``{"error", "message"}``: 401 ``AuthenticationRequired`` (wrong
  identifier or password), 401 ``AuthFactorTokenRequired`` (an emailed code: only the main
  password asks for one), 429 ``RateLimitExceeded`` with ``RateLimit-Reset`` (epoch seconds).
- The PDS: the didDoc's ``#atproto_pds`` service endpoint when present (else the service URL);
  every later call goes there. The access JWT's ``scope`` is ``com.atproto.appPass`` for an app
  password and ``com.atproto.access`` for the main password, which we refuse (ending that session).
- Refresh: ``POST /xrpc/com.atproto.server.refreshSession`` with the refresh JWT as the bearer
  answers a new access and refresh JWT (the old refresh JWT stops working). Access JWTs last about
  two hours, refresh JWTs about two months: their ``exp`` claims are stored as
  ``access_expires_at`` and ``expires_at``.
- End: ``POST /xrpc/com.atproto.server.deleteSession`` with the refresh JWT as the bearer.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from advocacy.http import ForbiddenAddress, HttpClient, HttpResponse, TransportError, is_public_address
from advocacy.networks import Network
from advocacy.people.access import permission_required
from advocacy.people.roles import EMPLOYEE_AREA
from advocacy.ratelimit import retry_delay

from ..models import ConnectedAccount
from ..refresh import RefreshFailed
from ..revoke import RevokeOutcome, RevokeRequest
from ..services import connected_account_store
from . import ConnectOption, FlowRefused

log = logging.getLogger(__name__)

# Bluesky's app passwords: four groups of four letters or digits, such as abcd-efgh-ijkl-mnop.
APP_PASSWORD = re.compile(r"[a-z0-9]{4}(?:-[a-z0-9]{4}){3}", re.IGNORECASE)
# The scope of a session opened with the account's main password (app passwords: com.atproto.appPass).
FULL_ACCESS_SCOPE = "com.atproto.access"
HOW_TO_MAKE_ONE = "In Bluesky, open Settings → Privacy and security → App passwords, and add one for us."


class BlueskyRefused(FlowRefused):
    """Bluesky did not open a session; ``field`` names the form field the reason belongs to, if any."""

    def __init__(self, reason: str, *, retryable: bool = False, field: str | None = None):
        super().__init__(reason, retryable=retryable)
        self.field = field


def connect_option() -> ConnectOption:
    return ConnectOption(
        network=Network.BLUESKY,
        how="Sign in with an app password made in Bluesky's settings, never your main password; "
        "we keep only the session, not the app password.",
    )


# --- The PDS and the calls -------------------------------------------------------------------------


def _service() -> str:
    return settings.CONNECTIONS_BLUESKY_SERVICE_URL.rstrip("/")


def pds_client(pds_url: str) -> HttpClient:
    """The client for a PDS: the configured service's host as configured, any other public addresses only.

    The PDS comes from the account's DID document, which its owner controls: it must not lead
    our calls into our own network.
    """

    def origin(url: str) -> tuple[str, str]:
        parts = urlsplit(url)
        return parts.scheme, parts.netloc.lower()

    trusted = origin(pds_url) == origin(_service())
    if trusted:
        return HttpClient(timeout=settings.CONNECTIONS_HTTP_TIMEOUT)
    return HttpClient(timeout=settings.CONNECTIONS_HTTP_TIMEOUT, allow_address=is_public_address)


def xrpc_error(answer: HttpResponse) -> tuple[str, str]:
    """(error name, message) of an XRPC error answer; empty strings when it has none."""
    payload = answer.json()
    if not isinstance(payload, dict):
        return "", ""
    return str(payload.get("error") or "")[:80], str(payload.get("message") or "").strip()[:300]


def minutes_to_wait(answer: HttpResponse) -> int:
    return max(1, math.ceil(retry_delay(answer.headers) / 60))


def _call(send) -> HttpResponse:
    try:
        return send()
    except ForbiddenAddress:
        raise BlueskyRefused(
            "Your account's server (PDS) is not at a public address, so we did not contact it."
        ) from None
    except TransportError as exc:
        raise BlueskyRefused(f"Bluesky did not answer ({exc}); try again in a moment.", retryable=True) from None


def jwt_claims(token: str) -> dict:
    """The claims of a JWT, read without checking its signature (it is Bluesky's to check): we only want
    its ``exp`` and ``scope``."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


def _expiry(claims: dict) -> datetime | None:
    exp = claims.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        return None
    return datetime.fromtimestamp(exp, tz=UTC)


def pds_from_did_doc(did_doc) -> str:
    """The ``#atproto_pds`` service endpoint of a DID document, or "" when it names none."""
    if not isinstance(did_doc, dict):
        return ""
    for service in did_doc.get("service") or []:
        if not isinstance(service, dict) or not str(service.get("id", "")).endswith("#atproto_pds"):
            continue
        endpoint = str(service.get("serviceEndpoint") or "").rstrip("/")
        if endpoint.startswith(("https://", "http://")):
            return endpoint
    return ""


def _session(answer: HttpResponse) -> dict:
    payload = answer.json()
    if (
        answer.status != 200
        or not isinstance(payload, dict)
        or not all(isinstance(payload.get(key), str) and payload.get(key) for key in ("accessJwt", "refreshJwt"))
    ):
        raise BlueskyRefused(f"Bluesky answered without a session (HTTP {answer.status}); nothing was connected.")
    if not str(payload.get("did", "")).startswith("did:") or not payload.get("handle"):
        raise BlueskyRefused("Bluesky did not say which account this is; nothing was connected.")
    return payload


def session_create(*, identifier: str, app_password: str) -> dict:
    """``createSession`` at the configured service: the session, or BlueskyRefused saying why in words."""
    url = f"{_service()}/xrpc/com.atproto.server.createSession"
    body = {"identifier": identifier, "password": app_password}
    answer = _call(lambda: pds_client(_service()).post_json(url, payload=body))
    if answer.status == 200:
        return _session(answer)
    error, message = xrpc_error(answer)
    if error == "AuthFactorTokenRequired":
        raise BlueskyRefused(
            "Bluesky asked for a sign-in code from your email: that happens only with your main password. "
            f"App passwords skip that step. {HOW_TO_MAKE_ONE}",
            field="app_password",
        )
    if answer.status == 401 or error == "AuthenticationRequired":
        raise BlueskyRefused(
            "Bluesky did not accept that handle and app password; nothing was connected. "
            "Check both (an app password looks like xxxx-xxxx-xxxx-xxxx).",
            field="app_password",
        )
    if answer.status == 429:
        minutes = minutes_to_wait(answer)
        raise BlueskyRefused(
            f"Bluesky is limiting sign-ins just now; try again in {minutes} minute{'s' if minutes != 1 else ''}.",
            retryable=True,
        )
    if answer.status >= 500:
        raise BlueskyRefused(f"Bluesky had a problem (HTTP {answer.status}); try again in a moment.", retryable=True)
    said = f": {message}" if message else f" (HTTP {answer.status})"
    raise BlueskyRefused(f"Bluesky did not open a session{said}.")


def _delete_session(pds_url: str, refresh_jwt: str) -> HttpResponse:
    return pds_client(pds_url).request(
        "POST",
        f"{pds_url}/xrpc/com.atproto.server.deleteSession",
        headers={"Authorization": f"Bearer {refresh_jwt}"},
    )


def _store(*, person, session: dict, pds_url: str) -> ConnectedAccount:
    access, refresh = session["accessJwt"], session["refreshJwt"]
    scope = str(jwt_claims(access).get("scope") or "")
    return connected_account_store(
        person=person,
        network=Network.BLUESKY,
        handle=str(session["handle"]),
        remote_account_id=str(session["did"]),
        access_token=access,
        refresh_token=refresh,
        instance_url=pds_url,
        scopes=[scope] if scope else [],
        expires_at=_expiry(jwt_claims(refresh)),
        access_expires_at=_expiry(jwt_claims(access)),
    )


def account_connect(*, person, identifier: str, app_password: str) -> ConnectedAccount:
    """Open a session with the app password and store it (the app password is not kept anywhere)."""
    session = session_create(identifier=identifier, app_password=app_password)
    pds_url = pds_from_did_doc(session.get("didDoc")) or _service()
    if jwt_claims(session["accessJwt"]).get("scope") == FULL_ACCESS_SCOPE:
        # The main password opens a session that can do anything: end it and ask for an app password.
        try:
            _delete_session(pds_url, session["refreshJwt"])
        except TransportError:
            log.info("connections: could not end a Bluesky main-password session")
        raise BlueskyRefused(
            f"That was your account's main password: we do not keep sessions opened with it. {HOW_TO_MAKE_ONE}",
            field="app_password",
        )
    try:
        return _store(person=person, session=session, pds_url=pds_url)
    except ValidationError as exc:
        raise BlueskyRefused(" ".join(exc.messages)) from None


def refresh(account: ConnectedAccount) -> ConnectedAccount:
    """``refreshSession`` with the stored refresh JWT: a new pair replaces the old one."""
    pds_url = account.instance_url or _service()
    url = f"{pds_url}/xrpc/com.atproto.server.refreshSession"
    try:
        answer = _call(
            lambda: pds_client(pds_url).request(
                "POST", url, headers={"Authorization": f"Bearer {account.refresh_token}"}
            )
        )
        if answer.status == 429 or answer.status >= 500:
            raise BlueskyRefused(f"Bluesky is busy (HTTP {answer.status}); try again later.", retryable=True)
        if answer.status != 200:
            error, message = xrpc_error(answer)
            said = message or error or f"HTTP {answer.status}"
            raise BlueskyRefused(f"Bluesky refused to renew the session ({said}); connect Bluesky again.")
        session = _session(answer)
    except BlueskyRefused as exc:
        raise RefreshFailed(exc.reason, retryable=exc.retryable) from None
    pds_url = pds_from_did_doc(session.get("didDoc")) or pds_url
    return _store(person=account.person, session=session, pds_url=pds_url)


def revoke(request: RevokeRequest) -> RevokeOutcome:
    """``deleteSession`` with the refresh JWT (connections.revoke's hook for Bluesky)."""
    pds_url = request.instance_url or _service()
    if not request.refresh_token:
        return RevokeOutcome(False, "The session could not be ended at Bluesky; delete the app password there too.")
    try:
        answer = _delete_session(pds_url, request.refresh_token)
    except ForbiddenAddress:
        return RevokeOutcome(False, "Your PDS is not at a public address; delete the app password in Bluesky too.")
    except TransportError as exc:
        return RevokeOutcome(False, f"Bluesky did not answer ({exc}); delete the app password in Bluesky too.")
    if answer.status == 200:
        return RevokeOutcome(
            True, "Bluesky ended the session. You can also delete the app password in Bluesky's settings."
        )
    log.info("connections: Bluesky deleteSession answered HTTP %s", answer.status)
    return RevokeOutcome(
        False, f"Bluesky answered HTTP {answer.status}; delete the app password in Bluesky's settings too."
    )


# --- The view ----------------------------------------------------------------------------------------


class AppPasswordForm(forms.Form):
    identifier = forms.CharField(
        label="Your Bluesky handle or email",
        max_length=253,
        help_text="Such as alice.bsky.social.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"}),
    )
    app_password = forms.CharField(
        label="App password",
        max_length=64,
        help_text="Not your main password: an app password looks like xxxx-xxxx-xxxx-xxxx. " + HOW_TO_MAKE_ONE,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}),
    )

    def clean_identifier(self) -> str:
        return self.cleaned_data["identifier"].strip().lstrip("@")

    def clean_app_password(self) -> str:
        value = self.cleaned_data["app_password"].strip()
        if not APP_PASSWORD.fullmatch(value):
            # Never sent: this is not an app password, and may well be the main one.
            raise forms.ValidationError(
                "That is not an app password (they look like xxxx-xxxx-xxxx-xxxx). "
                f"Never type your main password here. {HOW_TO_MAKE_ONE}"
            )
        return value


@permission_required(EMPLOYEE_AREA)
def connect_bluesky(request):
    """The handle and app password form; on success the account is stored and the health page says so."""
    if request.method == "POST":
        form = AppPasswordForm(request.POST)
        if form.is_valid():
            try:
                account = account_connect(
                    person=request.user,
                    identifier=form.cleaned_data["identifier"],
                    app_password=form.cleaned_data["app_password"],
                )
            except BlueskyRefused as exc:
                form.add_error(exc.field, exc.reason)
            else:
                messages.success(request, f"Bluesky connected as @{account.handle}.")
                return redirect("connections:my_connections")
    else:
        form = AppPasswordForm(initial={"identifier": (request.user.bluesky_handle or "").lstrip("@")})
    return render(request, "connections/connect_bluesky.html", {"form": form})
