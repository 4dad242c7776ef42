"""What apps above connections do when someone connects an account, registered by those apps.

Metrics (above connections) stopped asking about a post whose owner had no usable account; it
registers a listener here from its AppConfig.ready() so that connecting again resumes that
tracking, and connections never imports metrics.
"""

from collections.abc import Callable

AccountConnected = Callable[..., None]
_listeners: dict[str, AccountConnected] = {}


def register_account_connected(*, key: str, listener: AccountConnected) -> None:
    """Add (or replace, by ``key``) ``listener(*, person_id, network)``, called once the account is saved."""
    _listeners[key] = listener


def account_connected_announce(*, person_id: int, network: str) -> None:
    for listener in list(_listeners.values()):
        listener(person_id=person_id, network=network)
