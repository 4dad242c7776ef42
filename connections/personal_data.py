"""Connected accounts' part of the download (which accounts, never a token) and of erasure (deleted, revoked)."""

from advocacy.people.personal_data import register

from .selectors import connected_accounts_export
from .services import connected_accounts_erase


def register_section() -> None:
    register(
        "connected_accounts",
        export=connected_accounts_export,
        erase=connected_accounts_erase,
        models=["connections.ConnectedAccount"],
        position=15,
    )
