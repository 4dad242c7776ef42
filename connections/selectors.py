"""Reads for connected accounts: the token-health page, the usable token for a pull, the reminders due."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from .crypto import TokenUnreadable
from .models import ConnectedAccount

# How long before a token lapses its owner is reminded (once per token).
REMINDER_LEAD = timedelta(days=7)


class Health:
    CONNECTED = "connected"
    EXPIRING = "expiring"
    RECONNECT = "reconnect"


@dataclass(frozen=True)
class AccountHealth:
    account: ConnectedAccount
    state: str
    days_left: int | None
    message: str


@dataclass(frozen=True)
class AccountAccess:
    """What a worker needs to call a network as the account's owner; the token never shows in a repr."""

    account_id: int
    person_id: int
    remote_account_id: str
    instance_url: str
    token: str = field(repr=False)
    # As the network granted them: a provider may read with the token only what a scope allows.
    scopes: tuple[str, ...] = ()


def connected_accounts_for(*, person) -> QuerySet[ConnectedAccount]:
    return ConnectedAccount.objects.filter(person=person).order_by("network")


def account_health(*, account: ConnectedAccount, now: datetime | None = None) -> AccountHealth:
    """The one rule for "connected / expires in N days / needs reconnecting"."""
    now = now or timezone.now()
    if account.is_lapsed(now):
        return AccountHealth(account, Health.RECONNECT, 0, "The connection has lapsed: connect the account again.")
    if account.last_error:
        return AccountHealth(account, Health.RECONNECT, None, f"The network refused it: {account.last_error}")
    if account.expires_at is None:
        return AccountHealth(account, Health.CONNECTED, None, "Connected.")
    days = math.ceil((account.expires_at - now) / timedelta(days=1))
    state = Health.EXPIRING if account.expires_at - now <= REMINDER_LEAD else Health.CONNECTED
    return AccountHealth(account, state, days, f"Connected; expires in {days} day{'s' if days != 1 else ''}.")


def connected_accounts_health(*, person, now: datetime | None = None) -> list[AccountHealth]:
    now = now or timezone.now()
    return [account_health(account=account, now=now) for account in connected_accounts_for(person=person)]


def accounts_access_for(*, person_ids, network: str, now: datetime | None = None) -> dict[int, AccountAccess]:
    """{person id: usable access} for the people with a healthy connected account on ``network`` (one query).

    A lapsed token, one the network refused, or one no configured key opens is left out: the
    caller treats those people as not connected.
    """
    now = now or timezone.now()
    found = {}
    for account in ConnectedAccount.objects.filter(person_id__in=list(person_ids), network=network, last_error=""):
        if account.is_lapsed(now):
            continue
        try:
            token = account.access_token
        except TokenUnreadable:
            continue
        found[account.person_id] = AccountAccess(
            account_id=account.pk,
            person_id=account.person_id,
            remote_account_id=account.remote_account_id,
            instance_url=account.instance_url,
            token=token,
            scopes=tuple(account.scopes.split()),
        )
    return found


def accounts_lapsing(*, now: datetime | None = None) -> QuerySet[ConnectedAccount]:
    """Accounts whose token lapses within REMINDER_LEAD and has not lapsed yet: their owners are reminded."""
    now = now or timezone.now()
    return ConnectedAccount.objects.filter(expires_at__gt=now, expires_at__lte=now + REMINDER_LEAD)


def reminder_key(account: ConnectedAccount) -> str:
    """What a lapse reminder is about: the account and its token's expiry, so each token is reminded once
    and a reconnected account (a new token) is reminded again before it lapses."""
    return f"connection:{account.pk}:{int(account.expires_at.timestamp())}"


def reminder_subject(account_id: int) -> tuple[str, int | None]:
    """The reminder key of an account with an expiring token and its owner's id, or ("", None)."""
    account = ConnectedAccount.objects.filter(pk=account_id, expires_at__isnull=False).first()
    return (reminder_key(account), account.person_id) if account is not None else ("", None)


def reminder_account(*, key: str, person, now: datetime | None = None) -> ConnectedAccount | None:
    """The account a reminder keyed ``key`` is about, if it is still true: same token, not lapsed, within the lead."""
    now = now or timezone.now()
    try:
        account_id = int(key.split(":")[1])
    except (IndexError, ValueError):
        return None
    account = ConnectedAccount.objects.filter(pk=account_id, person=person, expires_at__isnull=False).first()
    if account is None or reminder_key(account) != key or account.is_lapsed(now):
        return None
    return account if account.expires_at - now <= REMINDER_LEAD else None


def connected_accounts_export(*, user) -> dict:
    """The download's section: which accounts, never a token."""
    return {
        "connected_accounts": [
            {
                "network": account.network,
                "handle": account.handle,
                "account_id": account.remote_account_id,
                "instance": account.instance_url,
                "scopes": account.scopes.split(),
                "connected": account.created_at.isoformat(),
                "expires": account.expires_at.isoformat() if account.expires_at else None,
            }
            for account in connected_accounts_for(person=user)
        ]
    }
