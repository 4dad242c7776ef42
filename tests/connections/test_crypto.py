"""Tokens at rest: encrypted under the first key, readable under any, re-encrypted on rotation."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from connections.crypto import TokenUnreadable, token_decrypt, token_encrypt
from connections.models import ConnectedAccount
from tests.connections.conftest import FIRST_KEY, SECOND_KEY, connect


def test_a_token_is_stored_encrypted_and_read_back():
    stored = token_encrypt("secret-token")
    assert "secret-token" not in stored
    assert Fernet(FIRST_KEY).decrypt(stored.encode()) == b"secret-token"
    assert token_decrypt(stored) == "secret-token"


def test_a_token_no_key_opens_is_refused_clearly(settings):
    stored = token_encrypt("secret-token")
    settings.CONNECTED_ACCOUNT_KEYS = [SECOND_KEY]
    with pytest.raises(TokenUnreadable, match="No key in CONNECTED_ACCOUNT_KEYS"):
        token_decrypt(stored)


@pytest.mark.django_db
def test_the_database_never_holds_a_token_in_clear(alice):
    account = connect(alice, token="THE-ACCESS-TOKEN", refresh_token="THE-REFRESH-TOKEN")
    row = ConnectedAccount.objects.filter(pk=account.pk).values().get()
    assert not any("THE-ACCESS-TOKEN" in str(v) or "THE-REFRESH-TOKEN" in str(v) for v in row.values())
    assert (account.access_token, account.refresh_token) == ("THE-ACCESS-TOKEN", "THE-REFRESH-TOKEN")
    assert "TOKEN" not in repr(account) and "TOKEN" not in str(account)


@pytest.mark.django_db
def test_rotation_puts_a_new_key_first_and_re_encrypts_every_token(settings, alice, bob, capsys):
    first, second = connect(alice, token="alice-token"), connect(bob, token="bob-token", refresh_token="bob-refresh")
    settings.CONNECTED_ACCOUNT_KEYS = [SECOND_KEY, FIRST_KEY]
    assert ConnectedAccount.objects.get(pk=first.pk).access_token == "alice-token", "old keys still decrypt"

    call_command("connection_keys_rotate")
    assert "Re-encrypted the tokens of 2 connected account(s)" in capsys.readouterr().out
    settings.CONNECTED_ACCOUNT_KEYS = [SECOND_KEY]
    assert ConnectedAccount.objects.get(pk=first.pk).access_token == "alice-token"
    second = ConnectedAccount.objects.get(pk=second.pk)
    assert (second.access_token, second.refresh_token) == ("bob-token", "bob-refresh")
    call_command("connection_keys_rotate")  # again: nothing breaks


@pytest.mark.django_db
def test_rotation_names_the_accounts_no_key_opens_and_leaves_them_as_they_are(settings, alice, bob):
    lost = connect(alice, token="alice-token")
    settings.CONNECTED_ACCOUNT_KEYS = [SECOND_KEY]
    kept = connect(bob, token="bob-token")
    before = ConnectedAccount.objects.get(pk=lost.pk).access_token_encrypted
    with pytest.raises(CommandError, match=f"account\\(s\\) {lost.pk}:"):
        call_command("connection_keys_rotate")
    assert ConnectedAccount.objects.get(pk=lost.pk).access_token_encrypted == before
    assert ConnectedAccount.objects.get(pk=kept.pk).access_token == "bob-token"


def test_connection_keys_prints_a_new_fernet_key(capsys):
    call_command("connection_keys")
    key = capsys.readouterr().out.strip()
    Fernet(key)  # a valid key, or this raises
    assert key not in (FIRST_KEY, SECOND_KEY)
