"""Revoking a token at the network, where its API allows it: one hook per network.

Disconnecting and erasure call ``token_revoke``; a network without a hook here (or whose
call fails) only loses the token on our side, and the employee is told so. The OAuth
connect flows will add their networks' hooks beside Mastodon's.

- Mastodon: ``POST /oauth/revoke`` with ``client_id``, ``client_secret`` and ``token``
  (form-encoded); 200 with ``{}`` when done, 403 when the client does not match.
- X: ``POST /2/oauth2/revoke`` (``connections.flows.x.revoke``).

Employees' instances are hosts they typed: the host must resolve only to public addresses
(checked just before the call; redirects are never followed).
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from django.utils.module_loading import import_string

from advocacy.networks import Network

TIMEOUT_SECONDS = 10
USER_AGENT = "advocacy-connections/1.0 (+self-hosted employee advocacy)"


@dataclass(frozen=True)
class RevokeRequest:
    network: str
    instance_url: str
    client_id: str
    token: str = field(repr=False)
    client_secret: str = field(repr=False, default="")


@dataclass(frozen=True)
class RevokeOutcome:
    # True: the network revoked it; False: asked and it failed; None: this network has no revoke API we use.
    revoked: bool | None
    detail: str


def address_allowed(address: str) -> bool:
    parsed = ipaddress.ip_address(address.split("%", 1)[0])
    return parsed.is_global and not parsed.is_multicast


def _host_allowed(url: str) -> bool:
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return False
    return bool(infos) and all(address_allowed(info[4][0]) for info in infos)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _post_form(url: str, fields: dict[str, str]) -> int:
    """POST a form; the HTTP status (4xx/5xx included); OSError when there is no answer."""
    if not url.startswith(("https://", "http://")):
        raise OSError("not an http(s) URL")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=urlencode(fields).encode(),
        headers={"User-Agent": USER_AGENT, "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    opener = urllib.request.build_opener(_NoRedirect(), urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as answer:
            return answer.status
    except urllib.error.HTTPError as answer:
        return answer.code
    except urllib.error.URLError as exc:
        raise OSError(str(exc.reason)) from exc


def mastodon_revoke(request: RevokeRequest) -> RevokeOutcome:
    base = request.instance_url.rstrip("/")
    if not request.client_id or not request.client_secret:
        return RevokeOutcome(
            False, "The app registered at your instance is not known, so the token was not revoked there."
        )
    if not _host_allowed(base):
        return RevokeOutcome(False, "Your instance's address is not a public one; the token was not revoked there.")
    try:
        status = _post_form(
            f"{base}/oauth/revoke",
            {"client_id": request.client_id, "client_secret": request.client_secret, "token": request.token},
        )
    except (OSError, ValueError) as exc:
        return RevokeOutcome(False, f"Your instance did not answer ({exc}); revoke the app in its settings too.")
    if status == 200:
        return RevokeOutcome(True, "Your instance revoked the token.")
    return RevokeOutcome(False, f"Your instance answered HTTP {status}; revoke the app in its settings too.")


def _flow_hook(path: str) -> Callable[[RevokeRequest], RevokeOutcome]:
    """A connect flow's own revoke function, imported when called (the flows import this module)."""

    def revoke(request: RevokeRequest) -> RevokeOutcome:
        return import_string(path)(request)

    return revoke


# Threads has none: its API offers no token revocation, so the employee removes the app in Threads.
REVOKERS: dict[str, Callable[[RevokeRequest], RevokeOutcome]] = {
    Network.MASTODON: mastodon_revoke,
    Network.X: _flow_hook("connections.flows.x.revoke"),
}


def token_revoke(request: RevokeRequest) -> RevokeOutcome:
    revoker = REVOKERS.get(request.network)
    if revoker is None:
        label = Network(request.network).label
        return RevokeOutcome(None, f"{label} offers no way for us to revoke the token; remove the app in {label} too.")
    return revoker(request)
