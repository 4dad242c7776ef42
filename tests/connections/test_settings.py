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


def _settings_load(**env):
    """Load the settings module in a fresh interpreter with ``env``: (exit code, stderr)."""
    import os
    import subprocess
    import sys

    environment = {key: value for key, value in os.environ.items() if not key.startswith(("X_", "THREADS_"))}
    environment.update(env)
    result = subprocess.run(
        [sys.executable, "-c", "import advocacy.settings.base"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.returncode, result.stderr


def test_x_posting_switched_on_without_a_client_id_stops_the_settings():
    code, error = _settings_load(X_POSTING_ENABLED="true")
    assert code != 0 and "X_POSTING_ENABLED is on but X_CLIENT_ID is empty" in error


def test_threads_needs_both_its_app_id_and_secret():
    code, error = _settings_load(THREADS_APP_ID="990602627938098")
    assert code != 0 and "Set both THREADS_APP_ID and THREADS_APP_SECRET" in error


def test_x_and_threads_are_off_by_default():
    from django.conf import settings

    assert settings.X_POSTING_ENABLED is False
    assert settings.THREADS_APP_ID == "" and settings.X_CLIENT_ID == ""
