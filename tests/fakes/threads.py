"""A local Threads in its documented formats: the authorization window (Allow / Cancel), the code
exchange, the long-lived token exchange and refresh, ``/me``, media containers (with their
status), publishing and the permalink.

Point ``THREADS_OAUTH_URL`` at ``{url}/oauth/authorize`` and ``METRICS_THREADS_API_URL`` at
``{url}/v1.0``: the token endpoints live at the root, the Graph API under the version.
"""

from __future__ import annotations

import html
import re
import secrets
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from tests.fakes.server import FakeApi, Reply, SeenRequest

VERSION = "/v1.0"


def graph_error(status: int, message: str, code: int, kind: str = "OAuthException") -> Reply:
    return Reply(status, {"error": {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEf123"}})


@dataclass
class FakeThreads:
    api: FakeApi
    app_id: str = "990602627938098"
    app_secret: str = "threads-app-secret"
    user_id: str = "17841400000000001"
    username: str = "alice.archer"
    long_lived_seconds: int = 5183944
    codes: dict = field(default_factory=dict)
    short_lived: set = field(default_factory=set)
    long_lived: set = field(default_factory=set)
    containers: dict = field(default_factory=dict)
    published: dict = field(default_factory=dict)
    # How many status checks answer IN_PROGRESS before an image container is FINISHED (or this status).
    in_progress_checks: int = 1
    final_status: str = "FINISHED"
    # Set to answer the next container creation with this instead.
    container_reply: Reply | None = None

    def install(self) -> FakeThreads:
        self.api.route("/oauth/authorize", self._authorize)
        self.api.route("/oauth/access_token", self._code_exchange)
        self.api.route("/access_token", self._long_lived_exchange)
        self.api.route("/refresh_access_token", self._refresh)
        self.api.route(f"{VERSION}/", self._graph, prefix=True)
        return self

    # --- authorization window --------------------------------------------------------------

    def _authorize(self, request: SeenRequest) -> Reply:
        query = {key: values[0] for key, values in request.query.items()}
        if query.get("client_id") != self.app_id or query.get("response_type") != "code":
            return Reply(400, "<p>Invalid app ID</p>", headers={"Content-Type": "text/html"})
        code = secrets.token_urlsafe(24)
        self.codes[code] = {"redirect_uri": query["redirect_uri"], "scope": query.get("scope", "")}
        state = query.get("state", "")
        allow = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': state})}"
        cancel = f"{query['redirect_uri']}?" + urlencode(
            {
                "error": "access_denied",
                "error_reason": "user_denied",
                "error_description": "Permissions error",
                "state": state,
            }
        )
        page = (
            "<!doctype html><title>Threads</title>"
            f"<p>Allow access to: {html.escape(query.get('scope', ''))}</p>"
            f'<a data-choice="allow" href="{html.escape(allow)}">Allow</a>'
            f'<a data-choice="cancel" href="{html.escape(cancel)}">Cancel</a>'
        )
        return Reply(200, page, headers={"Content-Type": "text/html; charset=utf-8"})

    def consent(self, authorize_url: str, *, allow: bool = True) -> str:
        with urllib.request.urlopen(authorize_url, timeout=5) as answer:
            page = answer.read().decode()
        choice = "allow" if allow else "cancel"
        href = html.unescape(re.search(rf'data-choice="{choice}" href="([^"]+)"', page).group(1))
        parts = urlsplit(href)
        return f"{parts.path}?{parts.query}"

    # --- tokens ----------------------------------------------------------------------------

    def _code_exchange(self, request: SeenRequest) -> Reply:
        form = {key: values[0] for key, values in request.form.items()}
        if (
            request.method != "POST"
            or form.get("client_id") != self.app_id
            or form.get("client_secret") != self.app_secret
        ):
            return graph_error(400, "Error validating client secret.", 1)
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("grant_type") != "authorization_code":
            return graph_error(400, "Invalid verification code format.", 100)
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return graph_error(
                400, "Error validating verification code. Please make sure your redirect_uri is identical.", 100
            )
        token = f"THshort{secrets.token_urlsafe(12)}"
        self.short_lived.add(token)
        return Reply(200, {"access_token": token, "user_id": int(self.user_id)})

    def _issue_long_lived(self) -> Reply:
        token = f"THlong{secrets.token_urlsafe(12)}"
        self.long_lived.add(token)
        return Reply(200, {"access_token": token, "token_type": "bearer", "expires_in": self.long_lived_seconds})

    def _long_lived_exchange(self, request: SeenRequest) -> Reply:
        query = {key: values[0] for key, values in request.query.items()}
        if request.method != "GET" or query.get("grant_type") != "th_exchange_token":
            return graph_error(400, "Unsupported grant_type", 100)
        if query.get("client_secret") != self.app_secret:
            return graph_error(400, "Error validating client secret.", 1)
        if query.get("access_token") not in self.short_lived:
            return graph_error(400, "Invalid OAuth access token - Cannot parse access token", 190)
        return self._issue_long_lived()

    def _refresh(self, request: SeenRequest) -> Reply:
        query = {key: values[0] for key, values in request.query.items()}
        if request.method != "GET" or query.get("grant_type") != "th_refresh_token":
            return graph_error(400, "Unsupported grant_type", 100)
        if query.get("access_token") not in self.long_lived:
            return graph_error(400, "Error validating access token: Session has expired.", 190)
        return self._issue_long_lived()

    # --- the Graph API ---------------------------------------------------------------------

    def _graph(self, request: SeenRequest) -> Reply:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer ") or header.removeprefix("Bearer ") not in self.long_lived:
            return graph_error(400, "Error validating access token: The session has been invalidated.", 190)
        path = request.path.removeprefix(VERSION)
        query = {key: values[0] for key, values in request.query.items()}
        if path == "/me" and request.method == "GET":
            fields = query.get("fields", "").split(",")
            return Reply(200, {key: {"id": self.user_id, "username": self.username}[key] for key in fields})
        if path == f"/{self.user_id}/threads" and request.method == "POST":
            return self._create_container(request)
        if path == f"/{self.user_id}/threads_publish" and request.method == "POST":
            return self._publish(request)
        object_id = path.strip("/")
        if request.method == "GET" and object_id in self.containers:
            return self._status(object_id)
        if request.method == "GET" and object_id in self.published:
            post = self.published[object_id]
            answer = {"id": object_id}
            for name in query.get("fields", "").split(","):
                if name in post:
                    answer[name] = post[name]
            return Reply(200, answer)
        return graph_error(400, "Unsupported request - method type: get", 100, "THApiException")

    def _create_container(self, request: SeenRequest) -> Reply:
        if self.container_reply is not None:
            reply, self.container_reply = self.container_reply, None
            return reply
        form = {key: values[0] for key, values in request.form.items()}
        kind = form.get("media_type")
        if kind == "TEXT" and not form.get("text"):
            return graph_error(400, "The parameter text is required for TEXT posts.", 100, "THApiException")
        if kind == "IMAGE" and not form.get("image_url"):
            return graph_error(400, "The parameter image_url is required.", 100, "THApiException")
        if kind not in {"TEXT", "IMAGE"}:
            return graph_error(400, "Invalid parameter media_type", 100, "THApiException")
        container_id = str(17889615691921648 + len(self.containers))
        checks = self.in_progress_checks if kind == "IMAGE" else 0
        self.containers[container_id] = {
            "fields": form,
            "checks_left": checks,
            "status": "IN_PROGRESS" if checks else "FINISHED",
        }
        return Reply(200, {"id": container_id})

    def _status(self, container_id: str) -> Reply:
        container = self.containers[container_id]
        if container["status"] == "IN_PROGRESS":
            container["checks_left"] -= 1
            if container["checks_left"] < 0:
                container["status"] = self.final_status
        answer = {"status": container["status"], "id": container_id}
        if container["status"] == "ERROR":
            answer["error_message"] = "FAILED_DOWNLOADING_IMAGE"
        return Reply(200, answer)

    def _publish(self, request: SeenRequest) -> Reply:
        creation_id = request.form.get("creation_id", [""])[0]
        container = self.containers.get(creation_id)
        if container is None:
            return graph_error(400, "The media container was not found.", 24, "THApiException")
        if container["status"] != "FINISHED":
            return graph_error(
                400, "The media is not ready for publishing, please wait for a moment", 9007, "THApiException"
            )
        container["status"] = "PUBLISHED"
        media_id = str(18050000000000001 + len(self.published))
        shortcode = f"C{secrets.token_hex(5)}"
        self.published[media_id] = {
            "container": creation_id,
            "shortcode": shortcode,
            "permalink": f"https://www.threads.net/@{self.username}/post/{shortcode}",
        }
        return Reply(200, {"id": media_id})
