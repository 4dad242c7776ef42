"""A push service and a browser's push keys, both local, for the web push tests.

PushEndpoint is an HTTP server on 127.0.0.1 standing in for a browser vendor's push service: it
records every message and answers with the next planned status (201 by default, 410 for a
subscription the browser dropped). BrowserKeys is what a browser keeps for one subscription
(an ECDH P-256 key pair and a 16-byte auth secret, RFC 8291), so a test can decrypt what arrived.
"""

import base64
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from advocacy.vapid import b64url_decode, b64url_encode


class PushEndpoint:
    def __init__(self):
        self.messages: list[dict] = []
        self.plan: list[int] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                server.messages.append(
                    {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                )
                self.send_response(server.plan.pop(0) if server.plan else 201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class BrowserKeys:
    """One push subscription's keys, as the browser holds them."""

    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = os.urandom(16)

    @property
    def p256dh(self) -> str:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url_encode(public)

    @property
    def auth(self) -> str:
        return b64url_encode(self.auth_secret)

    def subscription_json(self, endpoint: str) -> dict:
        """What PushSubscription.toJSON() gives the page's script."""
        return {"endpoint": endpoint, "expirationTime": None, "keys": {"p256dh": self.p256dh, "auth": self.auth}}

    def decrypt(self, body: bytes) -> dict:
        """The message as the browser reads it: aes128gcm (RFC 8188) with the keys of RFC 8291."""
        plain = http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm")
        return json.loads(plain)


def vapid_claims(message: dict, *, public_key: str) -> dict:
    """Check the message's VAPID Authorization header (RFC 8292) against the server's public key; its claims."""
    scheme, _, params = message["headers"]["authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert fields["k"] == public_key
    header, claims, signature = fields["t"].split(".")
    raw = b64url_decode(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(public_key))
    key.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    return json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
