"""VAPID keys for web push (RFC 8292): making a pair and checking one read from the environment.

Kept free of Django imports: the settings module calls ``vapid_keys_check`` while it loads.
Keys travel as the browsers' Push API wants them, unpadded base64url: the public key is the
65-byte uncompressed P-256 point, the private key the 32-byte secret scalar.
"""

import base64
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


class VapidKeyError(ValueError):
    pass


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key_bytes(private_key: ec.EllipticCurvePrivateKey) -> bytes:
    return private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def vapid_keys_generate() -> tuple[str, str]:
    """A new (public, private) key pair, both unpadded base64url."""
    key = ec.generate_private_key(ec.SECP256R1())
    secret = key.private_numbers().private_value.to_bytes(32, "big")
    return b64url_encode(public_key_bytes(key)), b64url_encode(secret)


def vapid_keys_check(*, public_key: str, private_key: str, subject: str) -> None:
    """Raise VapidKeyError, saying what is wrong, unless the keys are a P-256 pair and the subject a contact."""
    try:
        secret = b64url_decode(private_key)
    except ValueError:
        raise VapidKeyError("VAPID_PRIVATE_KEY is not base64url text; run `manage.py vapid_keys` for a pair.") from None
    if len(secret) != 32:
        raise VapidKeyError(
            f"VAPID_PRIVATE_KEY decodes to {len(secret)} bytes, not the 32 of a P-256 key; "
            "run `manage.py vapid_keys` for a pair."
        )
    try:
        key = ec.derive_private_key(int.from_bytes(secret, "big"), ec.SECP256R1())
    except ValueError:
        raise VapidKeyError("VAPID_PRIVATE_KEY is not a valid P-256 private key.") from None
    try:
        public = b64url_decode(public_key)
    except ValueError:
        raise VapidKeyError("VAPID_PUBLIC_KEY is not base64url text.") from None
    if public != public_key_bytes(key):
        raise VapidKeyError(
            "VAPID_PUBLIC_KEY is not the public half of VAPID_PRIVATE_KEY; set the pair printed together."
        )
    parts = urlsplit(subject)
    if (
        not ((parts.scheme == "mailto" and "@" in parts.path) or (parts.scheme == "https" and parts.hostname))
        or " " in subject
    ):
        raise VapidKeyError(
            f"VAPID_SUBJECT={subject!r} must be a mailto: address or an https:// URL where the push services can "
            "reach you, e.g. mailto:it@example.com."
        )
