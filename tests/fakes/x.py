"""A local X in its documented formats: the OAuth 2.0 consent page (Allow / Cancel), the token and
revoke endpoints (PKCE S256 checked, refresh tokens rotated), ``/2/users/me``, the v2 media upload
and metadata, and ``POST /2/tweets``.

``FakeX.consent(authorize_url)`` plays the employee on X's consent page: it loads the page our
connect view redirected to and follows its Allow (or Cancel) link, returning the callback URL
X would send the browser to.
"""

from __future__ import annotations

import base64
import html
import re
import secrets
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge

from tests.fakes.server import FakeApi, Reply, SeenRequest

AUTHORIZE_PATH = "/i/oauth2/authorize"


def _problem(status: int, title: str, detail: str) -> Reply:
    return Reply(status, {"title": title, "detail": detail, "type": "about:blank", "status": status})


def _unauthorized() -> Reply:
    return Reply(401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})


@dataclass
class FakeX:
    api: FakeApi
    client_id: str = "x-client-id"
    client_secret: str = "x-client-secret"  # "" plays a public client
    user_id: str = "1500000000000000001"
    username: str = "alice_archer"
    access_lifetime: int = 7200
    issue_refresh_token: bool = True
    codes: dict = field(default_factory=dict)
    access_tokens: set = field(default_factory=set)
    refresh_tokens: set = field(default_factory=set)
    revoked: list = field(default_factory=list)
    posts: list = field(default_factory=list)
    media: dict = field(default_factory=dict)
    # Set to answer the next POST /2/tweets with this instead (a 429, a 503…).
    tweet_reply: Reply | None = None

    def install(self) -> FakeX:
        self.api.route(AUTHORIZE_PATH, self._authorize)
        self.api.route("/2/oauth2/token", self._token)
        self.api.route("/2/oauth2/revoke", self._revoke)
        self.api.route("/2/users/me", self._me)
        self.api.route("/2/media/upload", self._upload)
        self.api.route("/2/media/metadata", self._metadata)
        self.api.route("/2/tweets", self._tweet)
        return self

    # --- the consent page ------------------------------------------------------------------

    def _authorize(self, request: SeenRequest) -> Reply:
        query = {key: values[0] for key, values in request.query.items()}
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return Reply(400, "<p>Something went wrong. You weren't able to give access to the App.</p>")
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return Reply(400, "<p>Something went wrong. You weren't able to give access to the App.</p>")
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "challenge": query["code_challenge"],
            "redirect_uri": query["redirect_uri"],
            "scope": query.get("scope", ""),
        }
        allow = f"{query['redirect_uri']}?{urlencode({'state': query.get('state', ''), 'code': code})}"
        cancel = f"{query['redirect_uri']}?{urlencode({'error': 'access_denied', 'state': query.get('state', '')})}"
        page = (
            "<!doctype html><title>Authorize app</title>"
            f"<p>The app wants to: {html.escape(query.get('scope', ''))}</p>"
            f'<a data-choice="allow" href="{html.escape(allow)}">Authorize app</a>'
            f'<a data-choice="cancel" href="{html.escape(cancel)}">Cancel</a>'
        )
        return Reply(200, page, headers={"Content-Type": "text/html; charset=utf-8"})

    def consent(self, authorize_url: str, *, allow: bool = True) -> str:
        """Open the consent page and follow Allow (or Cancel): the callback's path and query."""
        with urllib.request.urlopen(authorize_url, timeout=5) as answer:
            page = answer.read().decode()
        choice = "allow" if allow else "cancel"
        href = html.unescape(re.search(rf'data-choice="{choice}" href="([^"]+)"', page).group(1))
        parts = urlsplit(href)
        return f"{parts.path}?{parts.query}"

    # --- tokens ----------------------------------------------------------------------------

    def _client_ok(self, request: SeenRequest) -> bool:
        form = {key: values[0] for key, values in request.form.items()}
        if not self.client_secret:
            return form.get("client_id") == self.client_id and "authorization" not in request.headers
        pair = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        return request.headers.get("authorization") == f"Basic {pair}"

    def _issue(self, scope: str) -> Reply:
        access = f"x-access-{secrets.token_urlsafe(12)}"
        self.access_tokens.add(access)
        body = {"token_type": "bearer", "expires_in": self.access_lifetime, "access_token": access, "scope": scope}
        if self.issue_refresh_token and "offline.access" in scope.split():
            refresh = f"x-refresh-{secrets.token_urlsafe(12)}"
            self.refresh_tokens.add(refresh)
            body["refresh_token"] = refresh
        return Reply(200, body)

    def _token(self, request: SeenRequest) -> Reply:
        if request.method != "POST" or not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            return Reply(400, {"error": "invalid_request", "error_description": "Missing required parameter."})
        if not self._client_ok(request):
            return Reply(
                401, {"error": "unauthorized_client", "error_description": "Missing valid authorization header"}
            )
        form = {key: values[0] for key, values in request.form.items()}
        if form.get("grant_type") == "authorization_code":
            grant = self.codes.pop(form.get("code", ""), None)
            if (
                grant is None
                or form.get("redirect_uri") != grant["redirect_uri"]
                or create_s256_code_challenge(form.get("code_verifier", "")) != grant["challenge"]
            ):
                return Reply(
                    400,
                    {
                        "error": "invalid_request",
                        "error_description": "Value passed for the authorization code was invalid.",
                    },
                )
            return self._issue(grant["scope"])
        if form.get("grant_type") == "refresh_token":
            old = form.get("refresh_token", "")
            if old not in self.refresh_tokens:
                return Reply(
                    400, {"error": "invalid_request", "error_description": "Value passed for the token was invalid."}
                )
            self.refresh_tokens.discard(old)  # rotated: the old one is spent
            return self._issue("tweet.read tweet.write users.read offline.access media.write")
        return Reply(400, {"error": "unsupported_grant_type", "error_description": "Grant type not supported."})

    def _revoke(self, request: SeenRequest) -> Reply:
        if not self._client_ok(request):
            return Reply(
                401, {"error": "unauthorized_client", "error_description": "Missing valid authorization header"}
            )
        token = request.form.get("token", [""])[0]
        self.revoked.append(token)
        self.access_tokens.discard(token)
        return Reply(200, {"revoked": True})

    # --- the API ---------------------------------------------------------------------------

    def _bearer_ok(self, request: SeenRequest) -> bool:
        header = request.headers.get("authorization", "")
        return header.startswith("Bearer ") and header.removeprefix("Bearer ") in self.access_tokens

    def _me(self, request: SeenRequest) -> Reply:
        if not self._bearer_ok(request):
            return _unauthorized()
        return Reply(200, {"data": {"id": self.user_id, "name": "Alice Archer", "username": self.username}})

    def _upload(self, request: SeenRequest) -> Reply:
        if not self._bearer_ok(request):
            return _unauthorized()
        body = request.json or {}
        if not body.get("media") or body.get("media_category") not in {"tweet_image", "tweet_gif", "tweet_video"}:
            return _problem(400, "Invalid Request", "One or more parameters to your request was invalid.")
        content = base64.b64decode(body["media"])
        media_id = str(1880028106020515840 + len(self.media))
        self.media[media_id] = {"content": content, "media_type": body.get("media_type"), "alt_text": None}
        data = {
            "id": media_id,
            "media_key": f"3_{media_id}",
            "size": len(content),
            "expires_after_secs": 86400,
            "image": {"image_type": body.get("media_type"), "w": 1200, "h": 630},
        }
        return Reply(200, {"data": data})

    def _metadata(self, request: SeenRequest) -> Reply:
        if not self._bearer_ok(request):
            return _unauthorized()
        body = request.json or {}
        if body.get("id") not in self.media:
            return _problem(400, "Invalid Request", "One or more parameters to your request was invalid.")
        self.media[body["id"]]["alt_text"] = body["metadata"]["alt_text"]["text"]
        return Reply(200, {"data": {"id": body["id"], "associated_metadata": body["metadata"]}})

    def _tweet(self, request: SeenRequest) -> Reply:
        if not self._bearer_ok(request):
            return _unauthorized()
        if self.tweet_reply is not None:
            reply, self.tweet_reply = self.tweet_reply, None
            return reply
        body = request.json or {}
        if any(post["text"] == body.get("text") for post in self.posts):
            return _problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
        post_id = str(1880100000000000000 + len(self.posts))
        self.posts.append({"id": post_id, **body})
        return Reply(201, {"data": {"id": post_id, "edit_history_tweet_ids": [post_id], "text": body.get("text")}})
