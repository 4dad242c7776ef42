"""Refreshing access tokens before they stop working: one refresher per network that has them.

A refresher ``refresh(account) -> ConnectedAccount`` asks the network for new tokens with the
stored refresh token and saves them through ``services.connected_account_store`` (or raises
``RefreshFailed``). Publishers and metrics pulls call ``account_fresh`` before using a token;
a periodic task refreshes the ones that lapse soon even when nobody posts, so a connection
kept alive by refreshing never lapses unnoticed.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from advocacy.networks import Network

from .models import ConnectedAccount
from .services import connected_account_problem_record

log = logging.getLogger(__name__)

# An access token that lapses within this margin is refreshed before a call uses it.
CALL_MARGIN = timedelta(minutes=5)
# The periodic task refreshes tokens lapsing within this lead (X's last two hours, Threads' sixty days).
PERIODIC_LEAD = timedelta(days=2)

REFRESHERS: dict[str, str] = {
    Network.BLUESKY: "connections.flows.bluesky.refresh",
    Network.LINKEDIN: "connections.flows.linkedin.refresh",
    Network.X: "connections.flows.x.refresh",
    Network.THREADS: "connections.flows.threads.refresh",
}


class RefreshFailed(Exception):
    """The network would not refresh the token; ``reason`` is shown on the token-health page."""

    def __init__(self, reason: str, *, retryable: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


def _refresh_at(account: ConnectedAccount) -> datetime | None:
    return account.access_expires_at or (account.expires_at if account.refresh_token_encrypted else None)


def account_fresh(account: ConnectedAccount, *, now: datetime | None = None) -> ConnectedAccount:
    """The account with an access token good for a call now: refreshed first when it lapses within CALL_MARGIN."""
    now = now or timezone.now()
    due = _refresh_at(account)
    if due is None or due - now > CALL_MARGIN or account.network not in REFRESHERS:
        return account
    return account_refresh(account)


def account_refresh(account: ConnectedAccount) -> ConnectedAccount:
    """Refresh now; a refusal is recorded on the account (the health page says reconnect) and raised."""
    path = REFRESHERS.get(account.network)
    if path is None or not account.refresh_token_encrypted:
        raise RefreshFailed(f"{account.get_network_display()} tokens cannot be refreshed; connect the account again.")
    try:
        return import_string(path)(account)
    except RefreshFailed as exc:
        if not exc.retryable:
            connected_account_problem_record(account_id=account.pk, detail=exc.reason)
        log.info("connections: refreshing account %s (%s) failed: %s", account.pk, account.network, exc.reason)
        raise


def accounts_refresh_due(*, now: datetime | None = None) -> list[int]:
    """Ids of refreshable accounts whose access token lapses within PERIODIC_LEAD (and has not lapsed for good)."""
    now = now or timezone.now()
    horizon = now + PERIODIC_LEAD
    due = (
        ConnectedAccount.objects.filter(network__in=list(REFRESHERS), last_error="")
        .exclude(refresh_token_encrypted="")
        .filter(Q(access_expires_at__lte=horizon) | Q(access_expires_at__isnull=True, expires_at__lte=horizon))
        .exclude(expires_at__lte=now)
    )
    return list(due.order_by("pk").values_list("pk", flat=True))
