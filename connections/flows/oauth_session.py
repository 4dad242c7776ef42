"""The OAuth ``state`` (and PKCE verifier) kept in the session between the start view and the callback.

The start view remembers a fresh random ``state`` per network, with whatever the callback
will need (X's PKCE code verifier); the callback takes it back exactly once and only when
the ``state`` the network echoed matches, within STATE_MAX_AGE. A callback with another
state, a replayed one or a stale one gets nothing, so a link forged by someone else cannot
attach their account to this employee.
"""

from __future__ import annotations

import hmac
import time

from authlib.common.security import generate_token

STATE_MAX_AGE = 600  # seconds: signing in at the network takes a minute, not an hour
_SESSION_KEY = "connections_oauth"


def oauth_state_begin(request, *, network: str, **remembered: str) -> str:
    """A new ``state`` for ``network``'s authorization request, remembered with ``remembered`` values."""
    state = generate_token(32)
    pending = request.session.get(_SESSION_KEY, {})
    pending[network] = {"state": state, "at": int(time.time()), **remembered}
    request.session[_SESSION_KEY] = pending
    return state


def oauth_state_take(request, *, network: str, state: str) -> dict | None:
    """What ``oauth_state_begin`` remembered, when ``state`` is the one it issued (once); else None."""
    pending = request.session.get(_SESSION_KEY, {})
    entry = pending.pop(network, None)
    request.session[_SESSION_KEY] = pending
    if not entry or not state:
        return None
    if not hmac.compare_digest(str(entry.get("state", "")), state):
        return None
    if time.time() - entry.get("at", 0) > STATE_MAX_AGE:
        return None
    return entry
