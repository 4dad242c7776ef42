"""A local Bluesky PDS in its documented XRPC formats, recording what it was sent.

``describeServer``, ``createSession`` (identifier and password; app passwords give sessions
scoped ``com.atproto.appPass``, the main password ``com.atproto.access``, and with
``email_2fa`` the main password asks for ``AuthFactorTokenRequired``), ``getSession``,
``refreshSession`` (the refresh JWT rotated: the old one stops working), ``deleteSession``,
``uploadBlob`` and ``createRecord``. Errors are ``{"error", "message"}`` with the statuses the
PDS answers. Tokens are real-looking JWTs (HS256 over a fake secret) with ``exp`` and ``scope``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field

from tests.fakes.server import FakeApi, Reply, SeenRequest

XRPC = "/xrpc/"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _error(status: int, error: str, message: str, headers: dict | None = None) -> Reply:
    return Reply(status, {"error": error, "message": message}, headers=headers or {})


@dataclass
class FakeBluesky:
    api: FakeApi
    did: str = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
    handle: str = "alice.bsky.social"
    email: str = "alice@example.com"
    main_password: str = "correct horse battery staple"
    app_passwords: set = field(default_factory=lambda: {"abcd-efgh-ijkl-mnop"})
    email_2fa: bool = False
    access_lifetime: int = 2 * 3600
    refresh_lifetime: int = 90 * 24 * 3600
    # Where the didDoc says the PDS is; "" leaves the didDoc out of the session answers.
    pds_endpoint: str | None = None
    access_tokens: dict = field(default_factory=dict)  # token -> scope
    refresh_tokens: set = field(default_factory=set)
    deleted_sessions: list = field(default_factory=list)
    blobs: list = field(default_factory=list)
    records: list = field(default_factory=list)
    # Set to answer the next call to that method with this instead (a 429, a 503, an ExpiredToken…).
    next_reply: dict = field(default_factory=dict)

    def install(self) -> FakeBluesky:
        for method in (
            "com.atproto.server.describeServer",
            "com.atproto.server.createSession",
            "com.atproto.server.getSession",
            "com.atproto.server.refreshSession",
            "com.atproto.server.deleteSession",
            "com.atproto.repo.uploadBlob",
            "com.atproto.repo.createRecord",
        ):
            self.api.route(f"{XRPC}{method}", self._dispatch)
        return self

    def requests_to(self, method: str) -> list[SeenRequest]:
        return self.api.requests_to(f"{XRPC}{method}")

    def _dispatch(self, request: SeenRequest) -> Reply:
        method = request.path.removeprefix(XRPC)
        if method in self.next_reply:
            return self.next_reply.pop(method)
        handler = getattr(self, "_" + method.rsplit(".", 1)[1])
        return handler(request)

    # --- sessions --------------------------------------------------------------------------------

    def jwt(self, claims: dict) -> str:
        header = _b64(json.dumps({"typ": "at+jwt", "alg": "HS256"}).encode())
        payload = _b64(json.dumps(claims).encode())
        signature = hmac.new(b"fake-pds-secret", f"{header}.{payload}".encode(), hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64(signature)}"

    def did_doc(self) -> dict:
        return {
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": self.did,
            "alsoKnownAs": [f"at://{self.handle}"],
            "verificationMethod": [
                {
                    "id": f"{self.did}#atproto",
                    "type": "Multikey",
                    "controller": self.did,
                    "publicKeyMultibase": "zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF",
                }
            ],
            "service": [
                {
                    "id": "#atproto_pds",
                    "type": "AtprotoPersonalDataServer",
                    "serviceEndpoint": self.pds_endpoint if self.pds_endpoint is not None else self.api.url,
                }
            ],
        }

    def _issue(self, scope: str) -> dict:
        now = int(time.time())
        claims = {"sub": self.did, "aud": "did:web:bsky.social", "iat": now}
        access = self.jwt(
            {**claims, "scope": scope, "jti": secrets.token_urlsafe(8), "exp": now + self.access_lifetime}
        )
        refresh = self.jwt(
            {
                **claims,
                "scope": "com.atproto.refresh",
                "jti": secrets.token_urlsafe(16),
                "exp": now + self.refresh_lifetime,
            }
        )
        self.access_tokens[access] = scope
        self.refresh_tokens.add(refresh)
        body = {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": self.handle,
            "did": self.did,
            "email": self.email,
            "emailConfirmed": True,
            "emailAuthFactor": self.email_2fa,
            "active": True,
        }
        if self.pds_endpoint != "":
            body["didDoc"] = self.did_doc()
        return body

    def _describeServer(self, request: SeenRequest) -> Reply:
        return Reply(
            200,
            {
                "did": "did:web:pds.example",
                "availableUserDomains": [".bsky.social"],
                "inviteCodeRequired": False,
                "links": {},
                "contact": {},
            },
        )

    def _createSession(self, request: SeenRequest) -> Reply:
        if request.method != "POST" or not request.headers.get("content-type", "").startswith("application/json"):
            return _error(400, "InvalidRequest", "Request encoding (Content-Type) required but not provided")
        body = request.json or {}
        identifier = str(body.get("identifier") or "").lower()
        password = body.get("password")
        if identifier not in (self.handle, self.email, self.did) or not password:
            return _error(401, "AuthenticationRequired", "Invalid identifier or password")
        if password in self.app_passwords:
            return Reply(200, self._issue("com.atproto.appPass"))
        if password == self.main_password:
            if self.email_2fa and not body.get("authFactorToken"):
                return _error(401, "AuthFactorTokenRequired", "A sign in code has been sent to your email address")
            return Reply(200, self._issue("com.atproto.access"))
        return _error(401, "AuthenticationRequired", "Invalid identifier or password")

    def _bearer(self, request: SeenRequest) -> str:
        return request.headers.get("authorization", "").removeprefix("Bearer ")

    def _access(self, request: SeenRequest) -> Reply | None:
        token = self._bearer(request)
        if token in self.access_tokens:
            return None
        if not token:
            return _error(401, "AuthenticationRequired", "Authentication Required")
        return _error(400, "ExpiredToken", "Token has expired")

    def _getSession(self, request: SeenRequest) -> Reply:
        refused = self._access(request)
        if refused:
            return refused
        return Reply(200, {"handle": self.handle, "did": self.did, "email": self.email, "active": True})

    def _refreshSession(self, request: SeenRequest) -> Reply:
        token = self._bearer(request)
        if request.method != "POST":
            return _error(400, "InvalidRequest", "Incorrect HTTP method (GET) expected POST")
        if token not in self.refresh_tokens:
            return _error(400, "ExpiredToken", "Token has been revoked")
        self.refresh_tokens.discard(token)
        return Reply(200, self._issue("com.atproto.appPass"))

    def _deleteSession(self, request: SeenRequest) -> Reply:
        token = self._bearer(request)
        if token not in self.refresh_tokens:
            return _error(400, "InvalidToken", "Token could not be verified")
        self.refresh_tokens.discard(token)
        self.deleted_sessions.append(token)
        return Reply(200, b"")

    # --- the repo --------------------------------------------------------------------------------

    def _uploadBlob(self, request: SeenRequest) -> Reply:
        refused = self._access(request)
        if refused:
            return refused
        if len(request.body) > 1_000_000:
            return _error(400, "BlobTooLarge", "This file is too large. It is 1.2MB but the maximum size is 1MB.")
        cid = "bafkrei" + hashlib.sha256(request.body).hexdigest()[:52]
        blob = {
            "$type": "blob",
            "ref": {"$link": cid},
            "mimeType": request.headers.get("content-type", ""),
            "size": len(request.body),
        }
        self.blobs.append({"content": request.body, **blob})
        return Reply(200, {"blob": blob})

    def _createRecord(self, request: SeenRequest) -> Reply:
        refused = self._access(request)
        if refused:
            return refused
        body = request.json or {}
        record = body.get("record") or {}
        if body.get("repo") not in (self.did, self.handle):
            return _error(400, "InvalidRequest", "Could not find repo")
        if body.get("collection") != "app.bsky.feed.post" or record.get("$type") != "app.bsky.feed.post":
            return _error(400, "InvalidRequest", "Invalid collection")
        if len(record.get("text", "")) > 3000 or not record.get("createdAt"):
            return _error(400, "InvalidRequest", "Invalid app.bsky.feed.post record: Record/text is too long")
        rkey = f"3l{len(self.records):011d}".replace("0", "a")
        self.records.append({"rkey": rkey, **body})
        return Reply(
            200,
            {
                "uri": f"at://{self.did}/app.bsky.feed.post/{rkey}",
                "cid": "bafyreig" + hashlib.sha256(rkey.encode()).hexdigest()[:51],
                "commit": {"cid": "bafyreicommit", "rev": "3l" + rkey[2:]},
                "validationStatus": "valid",
            },
        )
