"""How an employee connects each network: one module per network with its views and its ``is_enabled``.

The token-health page lists the networks whose flow is switched on (``connect_options``);
each module's start view is ``connections:connect_<network>``. A flow ends by calling
``connections.services.connected_account_store`` with what the network answered.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.module_loading import import_string

from advocacy.networks import Network


class FlowRefused(Exception):
    """The network did not hand over tokens or the account; ``reason`` is shown to the employee."""

    def __init__(self, reason: str, *, retryable: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


@dataclass(frozen=True)
class ConnectOption:
    network: str
    # What connecting involves, in one line on the page (which sign-in, what is never asked for).
    how: str

    @property
    def label(self) -> str:
        return Network(self.network).label

    @property
    def url_name(self) -> str:
        return f"connections:connect_{self.network}"


FLOWS: dict[str, str] = {
    Network.MASTODON: "connections.flows.mastodon",
    Network.BLUESKY: "connections.flows.bluesky",
    Network.LINKEDIN: "connections.flows.linkedin",
    Network.X: "connections.flows.x",
    Network.THREADS: "connections.flows.threads",
}


def connect_options() -> list[ConnectOption]:
    """The networks an employee can connect here, each module's ``connect_option()`` (None when switched off)."""
    options = []
    for network, module in FLOWS.items():
        try:
            option = import_string(f"{module}.connect_option")()
        except ImportError as exc:
            # A network whose flow is not written yet is simply not offered; any other import error is a bug.
            if getattr(exc, "name", None) != module and module.rsplit(".", 1)[-1] not in str(exc):
                raise
            continue
        if option is not None:
            if option.network != network:
                raise ValueError(f"{module}.connect_option() is for {option.network}, not {network}")
            options.append(option)
    return options
