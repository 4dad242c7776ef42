"""Revoking a token at the network, where its API allows it: one hook per network.

Disconnecting and erasure call ``token_revoke``; a network without a hook here (or whose
call fails) only loses the token on our side, and the employee is told so. The OAuth
connect flows will add their networks' hooks beside Mastodon's.

- Mastodon: ``POST /oauth/revoke`` with ``client_id``, ``client_secret`` and ``token``
  (form-encoded); 200 with ``{}`` when done, 403 when the client does not match.
- LinkedIn: ``POST {LINKEDIN_OAUTH_URL}/revoke`` with the organisation app's ``client_id`` and
  ``client_secret`` and the ``token`` (form-encoded); 200 when done, 400/401 for a wrong token
  or client. The host is the configured one, so the ordinary client (no address check) is used.
- X: ``POST /2/oauth2/revoke`` (``connections.flows.x.revoke``).
- Bluesky: ``com.atproto.server.deleteSession`` with the refresh token at the account's PDS
  (``connections.flows.bluesky.revoke``).

Employees' instances are hosts they typed: ``connections.instances`` gives the client, which
refuses a host resolving to a private address (checked at connection time; redirects are never
followed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

from advocacy.http import ForbiddenAddress, HttpClient, TransportError
from advocacy.networks import Network

from .instances import instance_api


@dataclass(frozen=True)
class RevokeRequest:
    network: str
    instance_url: str
    client_id: str
    token: str = field(repr=False)
    client_secret: str = field(repr=False, default="")
    # Bluesky ends a session with its refresh token (deleteSession), not the access token.
    refresh_token: str = field(repr=False, default="")


@dataclass(frozen=True)
class RevokeOutcome:
    # True: the network revoked it; False: asked and it failed; None: this network has no revoke API we use.
    revoked: bool | None
    detail: str


def mastodon_revoke(request: RevokeRequest) -> RevokeOutcome:
    if not request.client_id or not request.client_secret:
        return RevokeOutcome(
            False, "The app registered at your instance is not known, so the token was not revoked there."
        )
    try:
        base, client = instance_api(request.instance_url, timeout=settings.CONNECTIONS_HTTP_TIMEOUT)
        answer = client.post_form(
            f"{base}/oauth/revoke",
            fields={"client_id": request.client_id, "client_secret": request.client_secret, "token": request.token},
        )
    except ForbiddenAddress:
        return RevokeOutcome(False, "Your instance's address is not a public one; the token was not revoked there.")
    except TransportError as exc:
        return RevokeOutcome(False, f"Your instance did not answer ({exc}); revoke the app in its settings too.")
    status = answer.status
    if status == 200:
        return RevokeOutcome(True, "Your instance revoked the token.")
    return RevokeOutcome(False, f"Your instance answered HTTP {status}; revoke the app in its settings too.")


def linkedin_revoke(request: RevokeRequest) -> RevokeOutcome:
    if not (settings.LINKEDIN_CLIENT_ID and settings.LINKEDIN_CLIENT_SECRET):
        return RevokeOutcome(False, "LinkedIn is no longer set up here, so the token was not revoked there.")
    url = f"{settings.LINKEDIN_OAUTH_URL.rstrip('/')}/revoke"
    fields = {
        "client_id": settings.LINKEDIN_CLIENT_ID,
        "client_secret": settings.LINKEDIN_CLIENT_SECRET,
        "token": request.token,
    }
    try:
        response = HttpClient(timeout=settings.CONNECTIONS_HTTP_TIMEOUT).post_form(url, fields=fields)
    except TransportError as exc:
        return RevokeOutcome(False, f"LinkedIn did not answer ({exc}); remove the app in LinkedIn's settings too.")
    if response.status == 200:
        return RevokeOutcome(True, "LinkedIn revoked the token.")
    return RevokeOutcome(
        False, f"LinkedIn answered HTTP {response.status}; remove the app under LinkedIn's Settings → Data privacy too."
    )


def _flow_hook(path: str) -> Callable[[RevokeRequest], RevokeOutcome]:
    """A connect flow's own revoke function, imported when called (the flows import this module)."""

    def revoke(request: RevokeRequest) -> RevokeOutcome:
        return import_string(path)(request)

    return revoke


# Threads has none: its API offers no token revocation, so the employee removes the app in Threads.
REVOKERS: dict[str, Callable[[RevokeRequest], RevokeOutcome]] = {
    Network.MASTODON: mastodon_revoke,
    Network.LINKEDIN: linkedin_revoke,
    Network.X: _flow_hook("connections.flows.x.revoke"),
    Network.BLUESKY: _flow_hook("connections.flows.bluesky.revoke"),
}


def token_revoke(request: RevokeRequest) -> RevokeOutcome:
    revoker = REVOKERS.get(request.network)
    if revoker is None:
        label = Network(request.network).label
        return RevokeOutcome(None, f"{label} offers no way for us to revoke the token; remove the app in {label} too.")
    return revoker(request)
