"""Connecting a Mastodon account: OAuth 2 at the employee's own instance, with our app registered there first.

Mastodon has no central developer console, so the first employee of an instance to connect
registers our app at it (``POST /api/v1/apps`` with ``client_name``, ``redirect_uris``,
``scopes``, ``website``; it answers an Application with ``client_id`` and ``client_secret``),
kept in ``OAuthApp`` for everyone after. Then the authorization-code flow:
``GET /oauth/authorize`` (``response_type=code``, ``client_id``, ``redirect_uri``, ``scope``,
``state`` and, from Mastodon 4.3, a PKCE S256 ``code_challenge``) sends the employee back with
``code`` and ``state`` (or ``error=access_denied``); ``POST /oauth/token`` (form: ``grant_type=
authorization_code``, ``code``, ``client_id``, ``client_secret``, ``redirect_uri``, ``scope``,
``code_verifier``) answers ``access_token`` and the granted ``scope``; ``GET
/api/v1/accounts/verify_credentials`` says whose token it is. Mastodon tokens do not lapse.

What an instance supports comes from ``GET /.well-known/oauth-authorization-server`` (RFC 8414,
Mastodon 4.3+: ``scopes_supported``, ``code_challenge_methods_supported``); older servers answer
404 there and get ``read:accounts`` and no PKCE.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse

from advocacy.branding.selectors import branding_current
from advocacy.http import ForbiddenAddress, HttpClient, HttpResponse, TransportError
from advocacy.networks import Network
from advocacy.people.access import permission_required
from advocacy.people.roles import EMPLOYEE_AREA

from ..crypto import token_encrypt
from ..instances import BadInstance, instance_api, instance_host, instance_url
from ..models import ConnectedAccount, OAuthApp
from ..revoke import RevokeRequest, mastodon_revoke
from ..services import connected_account_store
from . import ConnectOption

log = logging.getLogger(__name__)

# The narrowest scopes that do the job. write:statuses posts; write:media uploads the image and
# reads its processing state (GET /api/v1/media/:id needs write:media, not a read scope);
# read:statuses lets the metrics pulls read the employee's own statuses where the instance does
# not show them without a token (authorized-fetch servers, unlisted posts). To learn whose token
# it is, verify_credentials needs `profile` (4.3+: that endpoint and nothing else) or, on older
# servers, read:accounts (which reads any account too: wider, so only where profile is unknown).
POSTING_SCOPES = ("write:statuses", "write:media", "read:statuses")
PROFILE_SCOPE = "profile"
LEGACY_PROFILE_SCOPE = "read:accounts"

PENDING_KEY = "connections:mastodon:pending"
# Attempts kept per session (two tabs, a retry after closing the instance's page), oldest dropped.
PENDING_LIMIT = 5
STATE_MAX_AGE_SECONDS = 15 * 60


class ConnectFailed(Exception):
    """Connecting did not work; ``message`` says why, in words, on the token-health page."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def connect_option() -> ConnectOption:
    return ConnectOption(
        network=Network.MASTODON, how="Sign in at your own instance; we ask only to post and read your posts."
    )


def redirect_uri() -> str:
    return settings.SITE_URL + reverse("connections:mastodon_callback")


def _api(host: str) -> tuple[str, HttpClient]:
    return instance_api(host, timeout=settings.CONNECTIONS_HTTP_TIMEOUT)


@dataclass(frozen=True)
class InstanceSupport:
    profile_scope: str
    pkce: bool

    @property
    def scopes(self) -> tuple[str, ...]:
        return (self.profile_scope, *POSTING_SCOPES)


def _call(host: str, send) -> HttpResponse:
    """One call to the instance; no answer at all becomes a ConnectFailed that says so."""
    try:
        return send()
    except ForbiddenAddress:
        raise ConnectFailed(
            f"{host} resolves to a private address, so we did not contact it. Check the instance's name."
        ) from None
    except TransportError as exc:
        raise ConnectFailed(f"{host} did not answer ({exc}). Check the name, or try again later.") from None


def instance_support(*, host: str, base: str, client: HttpClient) -> InstanceSupport:
    answer = _call(host, lambda: client.get(f"{base}/.well-known/oauth-authorization-server", headers={}))
    metadata = answer.json() if answer.status == 200 else None
    if not isinstance(metadata, dict):
        # Before 4.3 (404 here): no profile scope, no PKCE. A server that is no Mastodon at all
        # fails at the app registration next, with its own message.
        return InstanceSupport(profile_scope=LEGACY_PROFILE_SCOPE, pkce=False)
    scopes = metadata.get("scopes_supported") or []
    methods = metadata.get("code_challenge_methods_supported") or []
    return InstanceSupport(
        profile_scope=PROFILE_SCOPE if PROFILE_SCOPE in scopes else LEGACY_PROFILE_SCOPE,
        pkce="S256" in methods,
    )


def oauth_app_for(*, host: str, base: str, client: HttpClient, scopes: tuple[str, ...]) -> OAuthApp:
    """Our app at the instance: the stored one when it covers ``scopes``, else registered (again) now."""
    callback = redirect_uri()
    stored = OAuthApp.objects.filter(instance_url=instance_url(host), redirect_uri=callback).first()
    if stored is not None and set(scopes) <= set(stored.scopes.split()):
        return stored
    fields = {
        "client_name": branding_current().programme_name or "Employee advocacy",
        "redirect_uris": callback,
        "scopes": " ".join(scopes),
        "website": settings.SITE_URL,
    }
    answer = _call(host, lambda: client.post_form(f"{base}/api/v1/apps", fields=fields))
    payload = answer.json()
    if answer.status != 200 or not isinstance(payload, dict) or not payload.get("client_id"):
        raise ConnectFailed(
            f"{host} did not answer as a Mastodon server does (app registration: HTTP {answer.status}). "
            "Check that it is your Mastodon instance."
        )
    if not payload.get("client_secret"):
        raise ConnectFailed(f"{host} registered our app without a client secret; we cannot connect through it.")
    values = {
        "client_id": str(payload["client_id"]),
        "client_secret_encrypted": token_encrypt(str(payload["client_secret"])),
        "scopes": " ".join(scopes),
    }
    try:
        app, _ = OAuthApp.objects.update_or_create(
            instance_url=instance_url(host), redirect_uri=callback, defaults=values
        )
    except IntegrityError:
        # Someone else on the same instance registered at the same moment: theirs will do.
        app = OAuthApp.objects.get(instance_url=instance_url(host), redirect_uri=callback)
    log.info("connections: registered our app at %s", host)
    return app


def connect_start(*, session, user, host: str) -> str:
    """Register at the instance if needed, remember the attempt in the session; the authorize URL to send to."""
    base, client = _api(host)
    support = instance_support(host=host, base=base, client=client)
    app = oauth_app_for(host=host, base=base, client=client, scopes=support.scopes)
    state = generate_token(32)
    query = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": app.redirect_uri,
        "scope": " ".join(support.scopes),
        "state": state,
    }
    verifier = ""
    if support.pkce:
        verifier = generate_token(64)
        query |= {"code_challenge": create_s256_code_challenge(verifier), "code_challenge_method": "S256"}
    pending = dict(session.get(PENDING_KEY) or {})
    pending[state] = {
        "user_id": user.pk,
        "host": host,
        "app_id": app.pk,
        "scopes": list(support.scopes),
        "code_verifier": verifier,
        "started_at": time.time(),
    }
    session[PENDING_KEY] = dict(sorted(pending.items(), key=lambda item: item[1]["started_at"])[-PENDING_LIMIT:])
    return f"{base}/oauth/authorize?{urlencode(query)}"


def _take_pending(*, session, user, state: str) -> dict:
    pending = dict(session.get(PENDING_KEY) or {})
    attempt = pending.pop(state, None) if state else None
    session[PENDING_KEY] = pending
    if attempt is None or attempt.get("user_id") != user.pk:
        raise ConnectFailed(
            "This connection was not started here, or it was already used; nothing was connected. Start again."
        )
    if time.time() - attempt["started_at"] > STATE_MAX_AGE_SECONDS:
        raise ConnectFailed("This connection took too long and has expired; nothing was connected. Start again.")
    return attempt


def _refusal(host: str, params) -> ConnectFailed:
    error = str(params.get("error", ""))[:60]
    if error == "access_denied":
        return ConnectFailed(f"You declined at {host}, so nothing was connected.")
    description = str(params.get("error_description", "")).strip()[:200]
    said = f": {description}" if description else ""
    return ConnectFailed(f"{host} answered with an error ({error}{said}); nothing was connected.")


def connect_finish(*, session, user, params) -> ConnectedAccount:
    """Check the instance's answer, redeem the code, learn the account and store it; ConnectFailed otherwise."""
    attempt = _take_pending(session=session, user=user, state=str(params.get("state", "")))
    host = attempt["host"]
    if params.get("error"):
        raise _refusal(host, params)
    if not params.get("code"):
        raise ConnectFailed(f"{host} sent no authorization code back; nothing was connected. Start again.")
    app = OAuthApp.objects.filter(pk=attempt["app_id"]).first()
    if app is None:
        raise ConnectFailed("Our app at your instance was removed meanwhile; nothing was connected. Start again.")
    base, client = _api(host)
    fields = {
        "grant_type": "authorization_code",
        "code": str(params["code"]),
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "redirect_uri": app.redirect_uri,
        "scope": " ".join(attempt["scopes"]),
    }
    if attempt["code_verifier"]:
        fields["code_verifier"] = attempt["code_verifier"]
    answer = _call(host, lambda: client.post_form(f"{base}/oauth/token", fields=fields))
    token = answer.json() if answer.status == 200 else None
    if not isinstance(token, dict) or not token.get("access_token"):
        said = answer.json().get("error", "") if isinstance(answer.json(), dict) else ""
        raise ConnectFailed(
            f"{host} would not give us a token (HTTP {answer.status}{', ' + str(said)[:60] if said else ''}); "
            "nothing was connected. Start again."
        )
    access_token = str(token["access_token"])
    granted = str(token.get("scope") or " ".join(attempt["scopes"])).split()
    try:
        return _store(user=user, host=host, base=base, client=client, app=app, token=access_token, granted=granted)
    except (ConnectFailed, ValidationError):
        # We hold a token we will not keep: give it back rather than leave it live at the instance.
        mastodon_revoke(
            RevokeRequest(
                network=Network.MASTODON,
                instance_url=instance_url(host),
                client_id=app.client_id,
                token=access_token,
                client_secret=app.client_secret,
            )
        )
        raise


def _store(*, user, host, base, client, app, token, granted) -> ConnectedAccount:
    headers = {"Authorization": f"Bearer {token}"}
    answer = _call(host, lambda: client.get(f"{base}/api/v1/accounts/verify_credentials", headers=headers))
    account = answer.json() if answer.status == 200 else None
    if not isinstance(account, dict) or not account.get("id") or not account.get("username"):
        raise ConnectFailed(
            f"{host} would not say whose account this is (HTTP {answer.status}); nothing was connected."
        )
    try:
        return connected_account_store(
            person=user,
            network=Network.MASTODON,
            handle=f"@{account['username']}@{host}",
            remote_account_id=str(account["id"]),
            access_token=token,
            instance_url=instance_url(host),
            scopes=granted,
            oauth_client_id=app.client_id,
            oauth_client_secret=app.client_secret,
        )
    except ValidationError as exc:
        raise ConnectFailed(" ".join(exc.messages)) from None


# --- Views --------------------------------------------------------------------------------------


class InstanceForm(forms.Form):
    instance = forms.CharField(
        label="Your Mastodon instance",
        max_length=253,
        help_text="The server your account is on, such as mastodon.social.",
        widget=forms.TextInput(attrs={"autocomplete": "url", "spellcheck": "false", "autocapitalize": "none"}),
    )

    def clean_instance(self) -> str:
        try:
            return instance_host(self.cleaned_data["instance"])
        except BadInstance as exc:
            raise forms.ValidationError(str(exc)) from None


@permission_required(EMPLOYEE_AREA)
def connect_mastodon(request):
    """Ask for the instance (prefilled from the profile's handle), then send the employee there to approve.

    The way there is a link on a page of ours, not a redirect: every page's CSP has form-action
    'self', which blocks a form post that redirects to another origin (as sso.views.logout does).
    """
    if request.method == "POST":
        form = InstanceForm(request.POST)
        if form.is_valid():
            try:
                url = connect_start(session=request.session, user=request.user, host=form.cleaned_data["instance"])
            except ConnectFailed as exc:
                messages.error(request, f"Mastodon was not connected. {exc.message}")
                return redirect("connections:my_connections")
            context = {"authorize_url": url, "host": form.cleaned_data["instance"]}
            return render(request, "connections/connect_mastodon_continue.html", context)
    else:
        form = InstanceForm(initial={"instance": request.user.mastodon_instance})
    return render(request, "connections/connect_mastodon.html", {"form": form})


@permission_required(EMPLOYEE_AREA)
def mastodon_callback(request):
    try:
        account = connect_finish(session=request.session, user=request.user, params=request.GET)
    except ConnectFailed as exc:
        messages.error(request, f"Mastodon was not connected. {exc.message}")
    else:
        messages.success(request, f"Mastodon connected as {account.handle}.")
    return redirect("connections:my_connections")
