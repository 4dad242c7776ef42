"""Writes for connected accounts: store (the OAuth flows' one way in), disconnect, erase, re-encrypt.

The tokens are encrypted before they reach the database and decrypted only where a call to the
network needs them; no message, log line or exception here carries one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from advocacy.networks import Network

from .crypto import TokenUnreadable, token_encrypt, token_reencrypt
from .models import ConnectedAccount
from .registry import account_connected_announce
from .revoke import RevokeOutcome, RevokeRequest, token_revoke

log = logging.getLogger(__name__)

# Networks an account can be connected on: Facebook profiles have no posting API, email is not a network account.
CONNECTABLE_NETWORKS = (Network.MASTODON, Network.BLUESKY, Network.LINKEDIN, Network.X, Network.THREADS)
ENCRYPTED_FIELDS = ("access_token_encrypted", "refresh_token_encrypted", "oauth_client_secret_encrypted")


@transaction.atomic
def connected_account_store(
    *,
    person,
    network: str,
    handle: str,
    remote_account_id: str,
    access_token: str,
    refresh_token: str = "",
    instance_url: str = "",
    scopes: Iterable[str] = (),
    expires_at: datetime | None = None,
    access_expires_at: datetime | None = None,
    oauth_client_id: str = "",
    oauth_client_secret: str = "",
) -> ConnectedAccount:
    """Store (or replace) the person's account on ``network`` with fresh tokens; clears any past refusal.

    What the OAuth callbacks (and a token refresh) call once the network has answered.
    ``expires_at`` is when the connection lapses (the refresh token's end where there is one),
    ``access_expires_at`` when the access token must be refreshed (connections.refresh).
    """
    if network not in CONNECTABLE_NETWORKS:
        raise ValidationError(f"Accounts cannot be connected on {Network(network).label}.", code="network")
    if not access_token:
        raise ValidationError("The network sent no access token; nothing was connected.", code="token")
    if not handle.strip() or not remote_account_id.strip():
        raise ValidationError("The network did not say which account this is; nothing was connected.", code="account")
    account, _ = ConnectedAccount.objects.update_or_create(
        person=person,
        network=network,
        defaults={
            "handle": handle.strip()[:255],
            "remote_account_id": remote_account_id.strip()[:255],
            "instance_url": instance_url.strip().rstrip("/"),
            "scopes": " ".join(dict.fromkeys(scopes)),
            "access_token_encrypted": token_encrypt(access_token),
            "refresh_token_encrypted": token_encrypt(refresh_token),
            "oauth_client_id": oauth_client_id,
            "oauth_client_secret_encrypted": token_encrypt(oauth_client_secret),
            "expires_at": expires_at,
            "access_expires_at": access_expires_at,
            "last_error": "",
        },
    )
    transaction.on_commit(lambda: account_connected_announce(person_id=person.pk, network=network))
    return account


def connected_account_problem_record(*, account_id: int, detail: str) -> None:
    """The network refused the token (revoked there, lapsed early): the health page says reconnect."""
    ConnectedAccount.objects.filter(pk=account_id).update(last_error=detail[:500])


def _revoke_request(account: ConnectedAccount) -> RevokeRequest | None:
    try:
        return RevokeRequest(
            network=account.network,
            instance_url=account.instance_url,
            client_id=account.oauth_client_id,
            token=account.access_token,
            client_secret=account.oauth_client_secret,
            refresh_token=account.refresh_token,
        )
    except TokenUnreadable:
        return None


@dataclass(frozen=True)
class Disconnected:
    network: str
    revoke: RevokeOutcome


def connected_account_disconnect(*, person, account_id: int) -> Disconnected:
    """Revoke the token at the network where its API allows, then delete the account: nothing of it stays.

    The network is asked first, outside any transaction; whatever it answers, the account is
    deleted here, and the outcome says whether the employee should also remove the app there.
    Raises ConnectedAccount.DoesNotExist for an account that is not the person's.
    """
    account = ConnectedAccount.objects.get(pk=account_id, person=person)
    request = _revoke_request(account)
    outcome = token_revoke(request) if request else RevokeOutcome(False, "The token could not be read to revoke it.")
    ConnectedAccount.objects.filter(pk=account.pk).delete()
    log.info("connections: account %s (%s) disconnected; revoked=%s", account.pk, account.network, outcome.revoked)
    return Disconnected(network=account.network, revoke=outcome)


def connected_accounts_erase(*, user) -> None:
    """Erasure's step: the accounts are deleted in the erasure's transaction, their tokens revoked after it commits."""
    requests = [r for r in map(_revoke_request, ConnectedAccount.objects.filter(person=user)) if r is not None]
    ConnectedAccount.objects.filter(person=user).delete()
    for request in requests:
        transaction.on_commit(lambda request=request: token_revoke(request))


def connected_accounts_reencrypt() -> tuple[int, list[int]]:
    """Re-encrypt every stored token under the first CONNECTED_ACCOUNT_KEYS key (idempotent, row by row).

    Returns (accounts re-encrypted, ids of accounts no configured key opens: left as they are).
    """
    done, unreadable = 0, []
    for account_id in ConnectedAccount.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            account = ConnectedAccount.objects.select_for_update().filter(pk=account_id).first()
            if account is None:
                continue
            try:
                for name in ENCRYPTED_FIELDS:
                    setattr(account, name, token_reencrypt(getattr(account, name)))
            except TokenUnreadable:
                unreadable.append(account_id)
                continue
            account.save(update_fields=[*ENCRYPTED_FIELDS, "updated_at"])
            done += 1
    return done, unreadable
