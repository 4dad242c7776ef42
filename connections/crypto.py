"""Tokens at rest: Fernet (AES-128-CBC + HMAC-SHA256) under a MultiFernet built from CONNECTED_ACCOUNT_KEYS.

The first key encrypts, every key decrypts, so keys rotate without downtime: put a new key
first, keep the old ones after it, run ``manage.py connection_keys_rotate`` (which re-encrypts
every token under the first key), then drop the old keys. The settings module has already
checked that each key is a valid Fernet key.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class TokenUnreadable(Exception):
    """No configured key opens this token (a key was dropped before rotating, or the value is damaged)."""


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.CONNECTED_ACCOUNT_KEYS])


def key_generate() -> str:
    return Fernet.generate_key().decode()


def token_encrypt(value: str) -> str:
    """The stored form of a token; an empty token stays empty (nothing to hide, nothing to open)."""
    return _fernet().encrypt(value.encode()).decode() if value else ""


def token_decrypt(stored: str) -> str:
    if not stored:
        return ""
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken:
        raise TokenUnreadable("No key in CONNECTED_ACCOUNT_KEYS opens this token.") from None


def token_reencrypt(stored: str) -> str:
    """The same token under the first key (MultiFernet.rotate); raises TokenUnreadable like decrypt."""
    if not stored:
        return ""
    try:
        return _fernet().rotate(stored.encode()).decode()
    except InvalidToken:
        raise TokenUnreadable("No key in CONNECTED_ACCOUNT_KEYS opens this token.") from None
