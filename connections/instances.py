"""Where a Mastodon instance's API answers, and the HTTP client allowed to call it.

Employees type their instance, so its host may point anywhere: the client checks that every
address it resolves to is public, at connection time. ``METRICS_MASTODON_INSTANCE_URLS``
(the same setting the metrics pulls read) sends a named host's calls elsewhere, a local test
server or a proxy an operator chose; a host listed there is trusted as configured.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings

from advocacy.http import HttpClient, is_public_address

# A DNS name of letters, digits and hyphens in dot-separated labels, with at least one dot.
_HOST = re.compile(r"(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}")


class BadInstance(ValueError):
    """What was typed is not an instance's address; the message says what to type instead."""


def instance_host(typed: str) -> str:
    """The instance's host from what an employee typed: ``mastodon.social``, a URL, or ``@you@host``."""
    value = typed.strip().lower()
    if value.count("@") >= 1 and "://" not in value:
        value = value.rsplit("@", 1)[1]
    if "://" in value:
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http"):
            raise BadInstance("Type your instance's address, such as mastodon.social.")
        value = parts.netloc
    value = value.split("/", 1)[0].rstrip(".")
    if not _HOST.fullmatch(value):
        raise BadInstance("Type your instance's address, such as mastodon.social (no port, no path).")
    return value


def instance_url(host: str) -> str:
    """The instance's public address, as stored on the account and shown to people."""
    return f"https://{host}"


def _configured() -> dict[str, str]:
    return settings.METRICS_MASTODON_INSTANCE_URLS


def instance_api(instance: str, *, timeout: float) -> tuple[str, HttpClient]:
    """(base URL to call, client) for an instance given as a host or a stored ``instance_url``.

    A configured host goes to its configured URL with a plain client; any other goes to the
    address itself with a client that refuses private addresses (raising ``ForbiddenAddress``).
    """
    if "://" in instance:
        host, base = (urlsplit(instance).hostname or "").lower(), instance.rstrip("/")
    else:
        host, base = instance.lower(), instance_url(instance.lower())
    if host in _configured():
        return _configured()[host], HttpClient(timeout=timeout)
    return base, HttpClient(timeout=timeout, allow_address=is_public_address)
