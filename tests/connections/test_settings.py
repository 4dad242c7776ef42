"""CONNECTED_ACCOUNT_KEYS: Fernet keys, first encrypts, checked loudly when the settings load."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from advocacy.settings.base import _connected_account_keys


def test_it_reads_comma_separated_keys_in_order(monkeypatch):
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("CONNECTED_ACCOUNT_KEYS", f" {first} , {second} ")
    assert _connected_account_keys("CONNECTED_ACCOUNT_KEYS") == [first, second]


def test_without_keys_a_first_run_still_encrypts(monkeypatch):
    monkeypatch.delenv("CONNECTED_ACCOUNT_KEYS", raising=False)
    (key,) = _connected_account_keys("CONNECTED_ACCOUNT_KEYS")
    Fernet(key)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not-a-key", "key 1 of 1 is not a Fernet key"),
        ("{good},", "key 2 of 2 is not a Fernet key"),
        ("{good},{good}", "the same key twice"),
    ],
)
def test_nonsense_stops_the_settings_with_a_clear_message(monkeypatch, value, message):
    monkeypatch.setenv("CONNECTED_ACCOUNT_KEYS", value.format(good=GOOD))
    with pytest.raises(ImproperlyConfigured, match=message):
        _connected_account_keys("CONNECTED_ACCOUNT_KEYS")


GOOD = Fernet.generate_key().decode()
