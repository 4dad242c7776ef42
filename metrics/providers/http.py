"""A small GET-only HTTP client on the standard library, always with a timeout.

The providers need one verb, a few headers and the status, headers and body of
every answer (including 4xx/5xx); urllib does that without a dependency. Redirects
are not followed: the APIs we call do not redirect, and following one from a
user-supplied Mastodon host could lead anywhere.
"""

from __future__ import annotations

import http.client
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message

USER_AGENT = "advocacy-metrics/1.0 (+self-hosted employee advocacy)"
MAX_BODY_BYTES = 5 * 1024 * 1024


class TransportError(Exception):
    """No HTTP answer at all: timeout, refused connection, DNS failure, a body too large."""


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Message  # case-insensitive lookups, as HTTP headers need
    body: bytes


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class HttpClient:
    def __init__(self, *, timeout: float):
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirect())

    def get(self, url: str, *, headers: dict[str, str]) -> HttpResponse:
        if not url.startswith(("https://", "http://")):
            raise TransportError(f"Refusing a non-HTTP URL: {url!r}")
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url, headers={"User-Agent": USER_AGENT, "Accept": "application/json", **headers}, method="GET"
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
