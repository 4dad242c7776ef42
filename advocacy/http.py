"""The one HTTP client for calls to the networks, on the standard library, always with a timeout.

Metrics providers, listening, connect flows and publishing need a few verbs, a few headers
and the status, headers and body of every answer (including 4xx/5xx); urllib does that
without a dependency. Redirects are not followed: the APIs we call do not redirect, and
following one from a user-supplied Mastodon host could lead anywhere. With ``allow_address``
every address a host resolves to is checked at connection time (DNS-rebinding safe).
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlencode

USER_AGENT = "advocacy/1.0 (+self-hosted employee advocacy)"
MAX_BODY_BYTES = 5 * 1024 * 1024


class TransportError(Exception):
    """No HTTP answer at all: timeout, refused connection, DNS failure, a body too large."""


class ForbiddenAddress(TransportError):
    """The host resolved to an address this client may not connect to (nothing was sent)."""


AddressCheck = Callable[[ipaddress.IPv4Address | ipaddress.IPv6Address], bool]


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return address.is_global and not address.is_multicast


def address_allowed(address: str, allow: AddressCheck = is_public_address) -> bool:
    """Whether a resolved address (as getaddrinfo gives it, maybe with an IPv6 %scope id) may be called.

    The one step both the connection-time check and Mastodon's up-front check take.
    """
    return allow(ipaddress.ip_address(address.split("%", 1)[0]))


def _connector(allow: AddressCheck):
    """A ``socket.create_connection`` that resolves once, checks every address, and connects only to those.

    The check and the connection use the same resolution, so a name that answers a public
    address to a first lookup and a private one to the next (DNS rebinding) gains nothing.
    """

    def create_connection(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None, **_):
        host, port = address
        try:
            candidates = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise TransportError(f"Cannot resolve {host}: {exc}") from exc
        for *_, sockaddr in candidates:
            if not address_allowed(sockaddr[0], allow):
                raise ForbiddenAddress(f"{host} resolves to a private address; not asked")
        error: OSError | None = None
        for family, kind, protocol, _, sockaddr in candidates:
            sock = socket.socket(family, kind, protocol)
            try:
                if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                    sock.settimeout(timeout)
                if source_address:
                    sock.bind(source_address)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                sock.close()
                error = exc
        raise error or OSError(f"no address to connect to for {host}")

    return create_connection


def _checked_handlers(allow: AddressCheck) -> list[urllib.request.BaseHandler]:
    connect = _connector(allow)

    class CheckedHTTPConnection(http.client.HTTPConnection):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._create_connection = connect

    class CheckedHTTPSConnection(http.client.HTTPSConnection):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._create_connection = connect

    class CheckedHTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(CheckedHTTPConnection, req)

    class CheckedHTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(CheckedHTTPSConnection, req, context=self._context)

    # No proxy: through one, the address checked would be the proxy's, not the host's.
    return [urllib.request.ProxyHandler({}), CheckedHTTPHandler(), CheckedHTTPSHandler()]


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Message  # case-insensitive lookups, as HTTP headers need
    body: bytes

    def json(self) -> object | None:
        """The body parsed as JSON, or None when it is not JSON (an HTML error page, an empty body)."""
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class HttpClient:
    """``allow_address``, when given, is asked about every address a host resolves to before connecting."""

    def __init__(self, *, timeout: float, allow_address: AddressCheck | None = None):
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.timeout = timeout
        handlers = _checked_handlers(allow_address) if allow_address else []
        self._opener = urllib.request.build_opener(_NoRedirect(), *handlers)

    def get(self, url: str, *, headers: dict[str, str]) -> HttpResponse:
        return self.request("GET", url, headers=headers)

    def post_form(self, url: str, *, fields: dict[str, str], headers: dict[str, str] | None = None) -> HttpResponse:
        body = urlencode(fields).encode()
        return self.request(
            "POST", url, headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}, body=body
        )

    def post_json(self, url: str, *, payload: object, headers: dict[str, str] | None = None) -> HttpResponse:
        body = json.dumps(payload).encode()
        return self.request("POST", url, headers={"Content-Type": "application/json", **(headers or {})}, body=body)

    def request(self, method: str, url: str, *, headers: dict[str, str], body: bytes | None = None) -> HttpResponse:
        """Any verb; ``body`` goes as it is (set its Content-Type in ``headers``)."""
        if not url.startswith(("https://", "http://")):
            raise TransportError(f"Refusing a non-HTTP URL: {url!r}")
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url,
            data=body,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", **headers},
            method=method,
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                return HttpResponse(answer.status, answer.headers, self._read(answer))
        except urllib.error.HTTPError as answer:
            # 4xx/5xx (and unfollowed 3xx) arrive as exceptions; they are answers all the same.
            try:
                body = self._read(answer)
            except (OSError, TransportError):
                body = b""
            return HttpResponse(answer.code, answer.headers, body)
        except TimeoutError as exc:
            raise TransportError(f"Timed out after {self.timeout:g}s") from exc
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TransportError):
                raise reason from exc
            if isinstance(reason, TimeoutError | socket.timeout):
                raise TransportError(f"Timed out after {self.timeout:g}s") from exc
            raise TransportError(f"Connection failed: {reason}") from exc
        except (OSError, ValueError, http.client.HTTPException) as exc:
            # Connection reset mid-body, a truncated body, a malformed status line.
            raise TransportError(f"Connection failed: {exc}") from exc

    @staticmethod
    def _read(answer) -> bytes:
        body = answer.read(MAX_BODY_BYTES + 1)
        if len(body) > MAX_BODY_BYTES:
            raise TransportError("Answer larger than expected")
        return body
