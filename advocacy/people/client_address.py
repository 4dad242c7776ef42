"""Where a request comes from, without ever keeping the raw address.

The client address is REMOTE_ADDR, unless the operator declares how many
reverse proxies sit in front (TRUSTED_PROXY_COUNT): then it is the hop that the
outermost trusted proxy saw. Hops a client writes itself into X-Forwarded-For
are to the left of that and are never read, so forging the header changes nothing.
"""

import hashlib
import hmac
import ipaddress

from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104 - placeholder, not a bind address  # nosec B104
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            candidate = hops[-proxies]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                return remote
    return remote


def pseudonymous_client_address(request) -> str:
    """A stable stand-in address (IPv6 unique-local range) keyed on the real one.

    The login lockout stores an address per failed attempt; it stores this
    instead, so counting still works while no real address reaches the database.
    """
    digest = hmac.new(
        settings.SECRET_KEY.encode(), b"login-lockout:" + client_address(request).encode(), hashlib.sha256
    ).digest()
    return str(ipaddress.IPv6Address(b"\xfd" + digest[:15]))
