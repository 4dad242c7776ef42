"""A Mastodon instance on ``tests.fakes.server``, in the documented formats, recording what it was sent.

What it plays (docs.joinmastodon.org, methods/apps, methods/oauth, methods/accounts, methods/media,
methods/statuses, api/oauth-scopes):

- ``GET /.well-known/oauth-authorization-server``: RFC 8414 metadata (4.3+), or 404 as older servers;
- ``POST /api/v1/apps``: registers an app (form ``client_name``, ``redirect_uris``, ``scopes``,
  ``website``) and answers an Application with ``client_id``/``client_secret``;
- ``GET /oauth/authorize``: an HTML page with Approve and Deny buttons (a form POSTed back to
  ``/oauth/authorize``, which answers 302 to ``redirect_uri`` with ``code`` and ``state``, or
  ``error=access_denied``); it checks the client, the redirect URI and that the scopes were registered;
- ``POST /oauth/token``: redeems a code once (client secret, redirect URI, scope and the PKCE
  verifier checked) for ``{"access_token", "token_type": "Bearer", "scope", "created_at"}``;
- ``GET /api/v1/accounts/verify_credentials`` (``profile`` or ``read:accounts``);
- ``POST /api/v2/media`` (multipart ``file``, ``description``; ``write:media``): 200, or 202 when
  ``processing_polls`` is set, after which ``GET /api/v1/media/:id`` answers 206 that many times, then 200;
- ``POST /api/v1/statuses`` (``status``, ``media_ids[]``; ``write:statuses``), honouring ``Idempotency-Key``;
- ``POST /oauth/revoke`` (``client_id``, ``client_secret``, ``token``): 200 ``{}``, 403 for another client's token.

Tokens missing or revoked get 401 ``{"error": "The access token is invalid"}``, a scope not granted 403.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.fakes.server import FakeApi, Reply, SeenRequest

_HTML = {"Content-Type": "text/html; charset=utf-8"}


@dataclass
class UploadedMedia:
    id: str
    filename: str
    content_type: str
    content: bytes
    description: str
    polls_left: int


@dataclass
class FakeMastodon:
    api: FakeApi
    host: str = "mastodon.example"
    username: str = "alice"
    account_id: str = "109876543210"
    # False plays a server older than 4.3: no metadata endpoint, no `profile` scope, no PKCE.
    supports_profile_scope: bool = True
    # How many 206 answers an uploaded image gets before it is ready (0: processed at once, 200).
    processing_polls: int = 0
    apps: dict[str, dict] = field(default_factory=dict)
    codes: dict[str, dict] = field(default_factory=dict)
    tokens: dict[str, dict] = field(default_factory=dict)
    revoked: list[str] = field(default_factory=list)
    media: dict[str, UploadedMedia] = field(default_factory=dict)
    statuses: list[dict] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self):
        routes = {
            "/.well-known/oauth-authorization-server": self._metadata,
            "/api/v1/apps": self._register,
            "/oauth/authorize": self._authorize,
            "/oauth/token": self._token,
            "/oauth/revoke": self._revoke,
            "/api/v1/accounts/verify_credentials": self._verify_credentials,
            "/api/v2/media": self._upload,
            "/api/v1/statuses": self._post_status,
        }
        for path, route in routes.items():
            self.api.route(path, route)
        self.api.route("/api/v1/media/", self._media, prefix=True)

    # --- Helpers for tests ----------------------------------------------------------------------

    def decide(self, authorize_url: str, *, approve: bool = True) -> str:
        """Open the authorize page and press Approve (or Deny), as a person would; the redirect's Location."""
        with urllib.request.urlopen(authorize_url, timeout=5) as page:
            assert page.status == 200 and b"Approve" in page.read()
        query = urlsplit(authorize_url).query
        fields = {key: values[0] for key, values in parse_qs(query).items()}
        fields["decision"] = "approve" if approve else "deny"
        request = urllib.request.Request(
            f"{self.api.url}/oauth/authorize", data=urlencode(fields).encode(), method="POST"
        )
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            opener.open(request, timeout=5)
        except urllib.error.HTTPError as answer:
            assert answer.code == 302, answer.read()
            return answer.headers["Location"]
        raise AssertionError("the authorize form did not redirect")

    def status_url(self, status_id: str) -> str:
        return f"https://{self.host}/@{self.username}/{status_id}"

    def _next_id(self) -> str:
        return f"11{next(self._ids):016d}"

    # --- OAuth ----------------------------------------------------------------------------------

    def _scopes_supported(self) -> list[str]:
        scopes = ["read", "write", "push", "read:accounts", "read:statuses", "write:media", "write:statuses"]
        return (["profile"] + scopes) if self.supports_profile_scope else scopes

    def _metadata(self, request: SeenRequest) -> Reply:
        if not self.supports_profile_scope:
            return Reply(404, "<!DOCTYPE html><title>The page you were looking for doesn't exist</title>", _HTML)
        base = f"https://{self.host}"
        return Reply(
            body={
                "issuer": f"{base}/",
                "authorization_endpoint": f"{base}/oauth/authorize",
                "token_endpoint": f"{base}/oauth/token",
                "revocation_endpoint": f"{base}/oauth/revoke",
                "scopes_supported": self._scopes_supported(),
                "response_types_supported": ["code"],
                "response_modes_supported": ["query", "fragment", "form_post"],
                "code_challenge_methods_supported": ["S256"],
                "grant_types_supported": ["authorization_code", "client_credentials"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "app_registration_endpoint": f"{base}/api/v1/apps",
            }
        )

    def _register(self, request: SeenRequest) -> Reply:
        form = {key: values[0] for key, values in request.form.items()}
        if not form.get("client_name"):
            return Reply(422, {"error": "Validation failed: Application name can't be blank"})
        redirect_uris = form.get("redirect_uris", "").split()
        if not redirect_uris:
            return Reply(422, {"error": "Validation failed: Redirect URI must be an absolute URI."})
        scopes = form.get("scopes", "read").split()
        if not set(scopes) <= set(self._scopes_supported()):
            return Reply(422, {"error": "Validation failed: Scopes has an invalid value"})
        number = next(self._ids)
        app = {
            "id": str(number),
            "name": form["client_name"],
            "website": form.get("website"),
            "scopes": scopes,
            "redirect_uri": "\n".join(redirect_uris),
            "redirect_uris": redirect_uris,
            "vapid_key": "BCk-QqERU0q-CfYZjcuB6lnyyOYfJ2AifKqfeGIm7Z-HiTU5T9eTG5GxVA0_OH5mMlI4UkkDTpaZwozy0TzdZ2M=",
            "client_id": f"client-{number}",
            "client_secret": f"secret-{number}-{hashlib.sha256(str(number).encode()).hexdigest()[:16]}",
            "client_secret_expires_at": 0,
        }
        self.apps[app["client_id"]] = app
        return Reply(body=app)

    def _authorize(self, request: SeenRequest) -> Reply:
        values = request.query if request.method == "GET" else request.form
        params = {key: items[0] for key, items in values.items()}
        app = self.apps.get(params.get("client_id", ""))
        if app is None or params.get("redirect_uri") not in app["redirect_uris"]:
            return Reply(400, "<p>The redirect uri included is not valid.</p>", _HTML)
        scopes = params.get("scope", "read").split()
        if params.get("response_type") != "code" or not set(scopes) <= set(app["scopes"]):
            return Reply(400, "<p>The requested scope is invalid, unknown, or malformed.</p>", _HTML)
        if request.method == "GET":
            return Reply(body=self._authorize_page(app, params, scopes), headers=_HTML)
        state = {"state": params["state"]} if params.get("state") else {}
        if params.get("decision") != "approve":
            answer = {"error": "access_denied", "error_description": "The resource owner denied the request."}
            return Reply(302, b"", {"Location": f"{params['redirect_uri']}?{urlencode(answer | state)}"})
        code = f"code-{self._next_id()}"
        self.codes[code] = {
            "client_id": app["client_id"],
            "redirect_uri": params["redirect_uri"],
            "scope": " ".join(scopes),
            "code_challenge": params.get("code_challenge", ""),
            "code_challenge_method": params.get("code_challenge_method", ""),
        }
        return Reply(302, b"", {"Location": f"{params['redirect_uri']}?{urlencode({'code': code} | state)}"})

    def _authorize_page(self, app: dict, params: dict, scopes: list[str]) -> str:
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(key)}" value="{html.escape(value)}">'
            for key, value in params.items()
        )
        items = "".join(f"<li>{html.escape(scope)}</li>" for scope in scopes)
        return (
            f"<!DOCTYPE html><html lang='en'><head><title>Authorization required - {self.host}</title></head><body>"
            f"<h1>Authorization required</h1><p><strong>{html.escape(app['name'])}</strong> would like "
            f"permission to access your account @{self.username}.</p><ul>{items}</ul>"
            f"<form method='post' action='/oauth/authorize'>{hidden}"
            "<button type='submit' name='decision' value='approve'>Approve</button>"
            "<button type='submit' name='decision' value='deny'>Deny</button></form></body></html>"
        )

    def _token(self, request: SeenRequest) -> Reply:
        form = {key: values[0] for key, values in request.form.items()}
        app = self.apps.get(form.get("client_id", ""))
        if app is None or form.get("client_secret") != app["client_secret"]:
            return Reply(401, {"error": "invalid_client", "error_description": "Client authentication failed."})
        grant = self.codes.pop(form.get("code", ""), None)
        if (
            form.get("grant_type") != "authorization_code"
            or grant is None
            or grant["client_id"] != app["client_id"]
            or grant["redirect_uri"] != form.get("redirect_uri")
        ):
            return Reply(400, {"error": "invalid_grant", "error_description": "The provided grant is invalid."})
        if form.get("scope") and form["scope"].split() != grant["scope"].split():
            return Reply(400, {"error": "invalid_scope", "error_description": "The requested scope is invalid."})
        if grant["code_challenge"]:
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if grant["code_challenge_method"] != "S256" or digest != grant["code_challenge"]:
                return Reply(400, {"error": "invalid_grant", "error_description": "PKCE verification failed."})
        token = f"token-{self._next_id()}"
        self.tokens[token] = {"client_id": app["client_id"], "scope": grant["scope"].split()}
        return Reply(
            body={
                "access_token": token,
                "token_type": "Bearer",
                "scope": grant["scope"],
                "created_at": int(time.time()),
            }
        )

    def _revoke(self, request: SeenRequest) -> Reply:
        form = {key: values[0] for key, values in request.form.items()}
        app = self.apps.get(form.get("client_id", ""))
        token = self.tokens.get(form.get("token", ""))
        if app is None or form.get("client_secret") != app["client_secret"] or token is None:
            return Reply(403, {"error": "unauthorized_client", "error_description": "You are not authorized to revoke"})
        if token["client_id"] != app["client_id"]:
            return Reply(403, {"error": "unauthorized_client", "error_description": "You are not authorized to revoke"})
        self.revoked.append(form["token"])
        del self.tokens[form["token"]]
        return Reply(body={})

    # --- The REST API ---------------------------------------------------------------------------

    def _authorised(self, request: SeenRequest, *scopes: str) -> Reply | None:
        """None when the bearer token holds one of ``scopes``, else the error reply."""
        header = request.headers.get("authorization", "")
        token = self.tokens.get(header.removeprefix("Bearer ")) if header.startswith("Bearer ") else None
        if token is None:
            return Reply(401, {"error": "The access token is invalid"})
        if not set(scopes) & set(token["scope"]):
            return Reply(403, {"error": "This action is outside the authorized scopes"})
        return None

    def _account(self) -> dict:
        return {
            "id": self.account_id,
            "username": self.username,
            "acct": self.username,
            "display_name": "Alice Archer",
            "locked": False,
            "bot": False,
            "created_at": "2022-11-03T00:00:00.000Z",
            "note": "",
            "url": f"https://{self.host}/@{self.username}",
            "avatar": f"https://{self.host}/avatars/original/missing.png",
            "followers_count": 321,
            "following_count": 100,
            "statuses_count": 42,
            "source": {"privacy": "public", "sensitive": False, "language": "en", "note": "", "fields": []},
        }

    def _verify_credentials(self, request: SeenRequest) -> Reply:
        return self._authorised(request, "profile", "read:accounts", "read") or Reply(body=self._account())

    def _upload(self, request: SeenRequest) -> Reply:
        refused = self._authorised(request, "write:media", "write")
        if refused:
            return refused
        parts = _multipart(request)
        if "file" not in parts or not parts["file"].get_content_type().startswith("image/"):
            return Reply(422, {"error": "Validation failed: File content type is invalid, File is invalid"})
        upload = UploadedMedia(
            id=self._next_id(),
            filename=parts["file"].get_filename() or "",
            content_type=parts["file"].get_content_type(),
            content=parts["file"].get_payload(decode=True),
            description=parts["description"].get_payload(decode=True).decode() if "description" in parts else "",
            polls_left=self.processing_polls,
        )
        self.media[upload.id] = upload
        processing = upload.polls_left > 0
        return Reply(202 if processing else 200, self._attachment(upload, ready=not processing))

    def _attachment(self, upload: UploadedMedia, *, ready: bool) -> dict:
        files = f"https://files.{self.host}/media_attachments/files/{upload.id}"
        return {
            "id": upload.id,
            "type": "image",
            "url": f"{files}/original/image.png" if ready else None,
            "preview_url": f"{files}/small/image.png",
            "remote_url": None,
            "text_url": None,
            "meta": {"original": {"width": 1200, "height": 627, "size": "1200x627", "aspect": 1.9138755980861244}},
            "description": upload.description or None,
            "blurhash": "UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}",
        }

    def _media(self, request: SeenRequest) -> Reply:
        refused = self._authorised(request, "write:media", "write")
        if refused:
            return refused
        upload = self.media.get(request.path.removeprefix("/api/v1/media/"))
        if upload is None:
            return Reply(404, {"error": "Record not found"})
        if upload.polls_left > 0:
            upload.polls_left -= 1
            return Reply(206, b"")
        return Reply(body=self._attachment(upload, ready=True))

    def _post_status(self, request: SeenRequest) -> Reply:
        refused = self._authorised(request, "write:statuses", "write")
        if refused:
            return refused
        form = request.form
        text = form.get("status", [""])[0]
        media_ids = form.get("media_ids[]", [])
        if not text.strip() and not media_ids:
            return Reply(422, {"error": "Validation failed: Text can't be blank"})
        if len(text) > 500:
            return Reply(422, {"error": "Validation failed: Text character limit of 500 exceeded"})
        if any(media_id not in self.media or self.media[media_id].polls_left for media_id in media_ids):
            return Reply(422, {"error": "Cannot attach files that have not finished processing. Try again!"})
        key = request.headers.get("idempotency-key", "")
        for earlier in self.statuses:
            if key and earlier["idempotency_key"] == key:
                return Reply(body=earlier["status"], headers=_rate_limit_headers())
        status_id = self._next_id()
        status = {
            "id": status_id,
            "created_at": "2026-12-02T09:00:00.000Z",
            "uri": f"https://{self.host}/users/{self.username}/statuses/{status_id}",
            "url": self.status_url(status_id),
            "visibility": "public",
            "content": f"<p>{html.escape(text)}</p>",
            "account": self._account(),
            "media_attachments": [self._attachment(self.media[m], ready=True) for m in media_ids],
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
        }
        self.statuses.append({"idempotency_key": key, "text": text, "media_ids": media_ids, "status": status})
        return Reply(body=status, headers=_rate_limit_headers())


def _rate_limit_headers() -> dict:
    return {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299", "X-RateLimit-Reset": "2026-12-02T09:05:00Z"}


def _multipart(request: SeenRequest) -> dict:
    """The parts of a multipart/form-data body by name, as email.message.Message objects."""
    head = f"Content-Type: {request.headers.get('content-type', '')}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.body)
    if not message.is_multipart():
        return {}
    return {part.get_param("name", header="content-disposition"): part for part in message.iter_parts()}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None
