"""A fake LinkedIn on a local server: OAuth (authorization page, accessToken, revoke) and the REST API.

Formats follow LinkedIn's documentation: the 3-legged authorization code flow
(``/oauth/v2/authorization``, ``/oauth/v2/accessToken``, ``/oauth/v2/revoke``), OpenID Connect's
``/v2/userinfo``, the Images API's ``initializeUpload`` and upload ``PUT``, the Posts API (201 with
``x-restli-id``), ``memberCreatorPostAnalytics`` (entity finder) and ``socialMetadata`` (batch
get). REST calls are refused (400) without ``LinkedIn-Version`` and ``X-Restli-Protocol-Version:
2.0.0``, and (401) without a token this fake issued; errors are LinkedIn's
``{"status", "serviceErrorCode", "message"}``.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from tests.fakes.server import FakeApi, Reply, SeenRequest

CLIENT_ID = "78fakelinkedinclient"
CLIENT_SECRET = "FAKE-LINKEDIN-CLIENT-SECRET"
MEMBER_ID = "AbC123xYz_-"
TOKEN_SECONDS = 60 * 24 * 3600
REFRESH_SECONDS = 365 * 24 * 3600


def _error(status: int, message: str, code: int = 100) -> Reply:
    return Reply(status=status, body={"status": status, "serviceErrorCode": code, "message": message})


@dataclass
class FakeLinkedIn:
    api: FakeApi
    member_id: str = MEMBER_ID
    name: str = "Alice Archer"
    # What the member's grant covers: LinkedIn grants what the app's products allow.
    grantable: tuple[str, ...] = ("openid", "profile", "w_member_social", "r_member_postAnalytics")
    # Programmatic refresh is only for some partners: off, no refresh token is issued.
    issues_refresh_tokens: bool = False
    app_token: str = "FAKE-APP-TOKEN"
    codes: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)  # access token -> granted scopes
    refresh_tokens: dict = field(default_factory=dict)
    revoked: list = field(default_factory=list)
    uploads: dict = field(default_factory=dict)  # upload path -> image urn
    images: dict = field(default_factory=dict)  # image urn -> bytes
    posts: dict = field(default_factory=dict)  # post urn -> body
    analytics: dict = field(default_factory=dict)  # (post urn, queryType) -> count
    social: dict = field(default_factory=dict)  # post urn -> (reactions, comments)
    # Replies the Posts API gives before publishing (the error-mapping tests).
    post_replies: list = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(7270000000000000001))

    def __post_init__(self):
        api = self.api
        api.route("/oauth/v2/authorization", self._authorization)
        api.route("/oauth/v2/accessToken", self._access_token)
        api.route("/oauth/v2/revoke", self._revoke)
        api.route("/v2/userinfo", self._userinfo)
        api.route("/rest/images", self._images)
        api.route("/dms-uploads/", self._upload, prefix=True)
        api.route("/rest/posts", self._posts)
        api.route("/rest/memberCreatorPostAnalytics", self._member_analytics)
        api.route("/rest/socialMetadata", self._social_metadata)

    @property
    def oauth_url(self) -> str:
        return f"{self.api.url}/oauth/v2"

    def issue_token(self, scopes=("openid", "profile", "w_member_social")) -> str:
        token = f"FAKE-MEMBER-TOKEN-{next(self._ids)}"
        self.tokens[token] = tuple(scopes)
        return token

    # --- OAuth ----------------------------------------------------------------------------------------

    def _authorization(self, request: SeenRequest) -> Reply:
        q = {key: values[0] for key, values in request.query.items()}
        if q.get("client_id") != CLIENT_ID or q.get("response_type") != "code" or not q.get("redirect_uri"):
            return Reply(
                status=400, body="<p>Invalid redirect_uri or client_id.</p>", headers={"Content-Type": "text/html"}
            )
        asked = q.get("scope", "").split()
        if not asked or any(scope not in self.grantable for scope in asked):
            denied = urlencode(
                {"error": "unauthorized_scope_error", "error_description": "Scope not authorized", "state": q["state"]}
            )
            return Reply(status=302, headers={"Location": f"{q['redirect_uri']}?{denied}"})
        code = f"FAKE-CODE-{next(self._ids)}"
        self.codes[code] = {"redirect_uri": q["redirect_uri"], "scopes": tuple(asked)}
        allow = f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q.get('state', '')})}"
        cancel = f"{q['redirect_uri']}?" + urlencode(
            {
                "error": "user_cancelled_authorize",
                "error_description": "The user cancelled the authorization",
                "state": q.get("state", ""),
            }
        )
        page = (
            f"<h1>Allow access to your LinkedIn account?</h1><p>Scopes: {html.escape(' '.join(asked))}</p>"
            f'<a id="allow" href="{html.escape(allow)}">Allow</a> '
            f'<a id="cancel" href="{html.escape(cancel)}">Cancel</a>'
        )
        return Reply(body=page, headers={"Content-Type": "text/html; charset=utf-8"})

    def _client_ok(self, form: dict) -> bool:
        return form.get("client_id") == [CLIENT_ID] and form.get("client_secret") == [CLIENT_SECRET]

    def _access_token(self, request: SeenRequest) -> Reply:
        if request.method != "POST" or not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            return Reply(status=400, body={"error": "invalid_request", "error_description": "POST a form"})
        form = request.form
        if not self._client_ok(form):
            return Reply(
                status=401, body={"error": "invalid_client", "error_description": "Client authentication failed"}
            )
        grant = form.get("grant_type", [""])[0]
        if grant == "authorization_code":
            issued = self.codes.pop(form.get("code", [""])[0], None)
            if issued is None or form.get("redirect_uri") != [issued["redirect_uri"]]:
                return Reply(
                    status=400,
                    body={
                        "error": "invalid_request",
                        "error_description": "Unable to retrieve access token: appid/redirect uri/code verifier does "
                        "not match authorization code. Or authorization code expired.",
                    },
                )
            return Reply(body=self._token_answer(issued["scopes"], refresh_seconds=REFRESH_SECONDS))
        if grant == "refresh_token":
            scopes = self.refresh_tokens.get(form.get("refresh_token", [""])[0])
            if scopes is None:
                return Reply(
                    status=400,
                    body={"error": "invalid_request", "error_description": "The provided refresh token is invalid"},
                )
            answer = self._token_answer(scopes, refresh_seconds=REFRESH_SECONDS - 3600)
            answer["refresh_token"] = form["refresh_token"][0]
            return Reply(body=answer)
        return Reply(status=400, body={"error": "unsupported_grant_type", "error_description": "Unknown grant"})

    def _token_answer(self, scopes, *, refresh_seconds: int) -> dict:
        answer = {
            "access_token": self.issue_token(scopes),
            "expires_in": TOKEN_SECONDS,
            "scope": ",".join(scopes),
            "token_type": "Bearer",
            "id_token": "eyJ.fake.idtoken",
        }
        if self.issues_refresh_tokens:
            refresh = f"FAKE-REFRESH-{next(self._ids)}"
            self.refresh_tokens[refresh] = scopes
            answer.update(refresh_token=refresh, refresh_token_expires_in=refresh_seconds)
        return answer

    def _revoke(self, request: SeenRequest) -> Reply:
        form = request.form
        if not self._client_ok(form):
            return Reply(
                status=401, body={"error": "invalid_client", "error_description": "Client authentication failed"}
            )
        token = form.get("token", [""])[0]
        if self.tokens.pop(token, None) is None:
            return Reply(status=400, body={"error": "invalid_request", "error_description": "Invalid token"})
        self.revoked.append(token)
        return Reply(body="")

    # --- REST -----------------------------------------------------------------------------------------

    def _member_scopes(self, request: SeenRequest) -> tuple[str, ...] | None:
        auth = request.headers.get("authorization", "")
        return self.tokens.get(auth.removeprefix("Bearer ")) if auth.startswith("Bearer ") else None

    def _rest_refusal(self, request: SeenRequest, *, scope: str | None = None, member: bool = True) -> Reply | None:
        if not re.fullmatch(r"[0-9]{6}", request.headers.get("linkedin-version", "")):
            return _error(
                400, "A version must be present. Please specify a version by adding the LinkedIn-Version header."
            )
        if request.headers.get("x-restli-protocol-version") != "2.0.0":
            return _error(400, "Rest.li protocol version 2.0.0 is required")
        scopes = self._member_scopes(request)
        if scopes is None and not (not member and request.headers.get("authorization") == f"Bearer {self.app_token}"):
            return _error(401, "Invalid access token", code=65600)
        if scope and scopes is not None and scope not in scopes:
            return _error(403, f"Not enough permissions to access: {request.path.rsplit('/', 1)[-1]}")
        return None

    def _userinfo(self, request: SeenRequest) -> Reply:
        scopes = self._member_scopes(request)
        if scopes is None:
            return _error(401, "Invalid access token", code=65600)
        given, _, family = self.name.partition(" ")
        return Reply(
            body={
                "sub": self.member_id,
                "name": self.name,
                "given_name": given,
                "family_name": family,
                "picture": "https://media.licdn.com/dms/image/fake/profile.jpg",
                "locale": {"country": "US", "language": "en"},
            }
        )

    def _images(self, request: SeenRequest) -> Reply:
        refused = self._rest_refusal(request, scope="w_member_social")
        if refused:
            return refused
        if request.method != "POST" or request.query.get("action") != ["initializeUpload"]:
            return _error(400, "Unsupported method")
        owner = (request.json or {}).get("initializeUploadRequest", {}).get("owner")
        if owner != f"urn:li:person:{self.member_id}":
            return _error(403, "Not enough permissions to upload images for that owner")
        number = next(self._ids)
        image = f"urn:li:image:C4E10AQFake{number}"
        path = f"/dms-uploads/sp/v2/D4E10AQFake{number}/uploaded-image/0"
        self.uploads[path] = image
        return Reply(
            body={
                "value": {"uploadUrlExpiresAt": 1_800_000_000_000, "uploadUrl": f"{self.api.url}{path}", "image": image}
            }
        )

    def _upload(self, request: SeenRequest) -> Reply:
        image = self.uploads.get(request.path)
        if request.method != "PUT" or image is None or self._member_scopes(request) is None:
            return Reply(status=400, body="")
        self.images[image] = request.body
        return Reply(status=201, body="")

    def _posts(self, request: SeenRequest) -> Reply:
        refused = self._rest_refusal(request, scope="w_member_social")
        if refused:
            return refused
        if self.post_replies:
            return self.post_replies.pop(0)
        body = request.json or {}
        missing = [
            name
            for name in ("author", "commentary", "visibility", "distribution", "lifecycleState")
            if name not in body
        ]
        if missing:
            return _error(
                422,
                "".join(
                    f"ERROR :: /{name} :: field is required but not found and has no default value\n"
                    for name in missing
                ),
            )
        if body["author"] != f"urn:li:person:{self.member_id}":
            return _error(403, "Not enough permissions to post as that author")
        media = body.get("content", {}).get("media")
        if media and media.get("id") not in self.images:
            return _error(422, f"ERROR :: /content/media/id :: {media.get('id')} is not an uploaded image")
        thumbnail = body.get("content", {}).get("article", {}).get("thumbnail")
        if thumbnail and thumbnail not in self.images:
            return _error(422, f"ERROR :: /content/article/thumbnail :: {thumbnail} is not an uploaded image")
        urn = f"urn:li:share:{next(self._ids)}"
        self.posts[urn] = body
        return Reply(status=201, body="", headers={"x-restli-id": urn, "x-linkedin-id": urn})

    def _member_analytics(self, request: SeenRequest) -> Reply:
        refused = self._rest_refusal(request, scope="r_member_postAnalytics")
        if refused:
            return refused
        q = {key: values[0] for key, values in request.query.items()}
        match = re.fullmatch(r"\((share|ugc):(urn:li:(?:share|ugcPost):[0-9]+)\)", q.get("entity", ""))
        query_type = q.get("queryType", "")
        if (
            q.get("q") != "entity"
            or not match
            or query_type not in {"IMPRESSION", "MEMBERS_REACHED", "RESHARE", "REACTION", "COMMENT"}
        ):
            return _error(400, "Invalid query parameters")
        urn = match.group(2)
        if urn not in self.posts and not any(key[0] == urn for key in self.analytics):
            return _error(404, f"Entity {urn} not found")
        key = "share" if match.group(1) == "share" else "ugcPost"
        value = self.analytics.get((urn, query_type))
        elements = [] if value is None else [{"count": value, "metricType": query_type, "targetEntity": {key: urn}}]
        return Reply(body={"paging": {"start": 0, "count": 10, "links": []}, "elements": elements})

    def _social_metadata(self, request: SeenRequest) -> Reply:
        refused = self._rest_refusal(request, member=False)
        if refused:
            return refused
        raw = request.raw_query
        if not (raw.startswith("ids=List(") and raw.endswith(")")):
            return _error(400, "ids must be a List")
        results, errors = {}, {}
        for urn in (unquote(part) for part in raw[len("ids=List(") : -1].split(",")):
            if urn not in self.social:
                errors[urn] = {"status": 404, "message": f"Not found: {urn}"}
                continue
            reactions, comments = self.social[urn]
            results[urn] = {
                "reactionSummaries": {"LIKE": {"reactionType": "LIKE", "count": reactions}},
                "commentSummary": {"count": comments, "topLevelCount": comments},
                "commentsState": "OPEN",
                "entity": urn,
            }
        return Reply(body={"results": results, "statuses": {}, "errors": errors})


def allow_link(page: str, which: str = "allow") -> str:
    """The address the authorization page's Allow (or Cancel) button leads to."""
    match = re.search(rf'<a id="{which}" href="([^"]+)"', page)
    assert match, page
    return html.unescape(match.group(1))


def callback_query(url: str) -> dict:
    """The query LinkedIn sends the browser back with, as a dict for the test client."""
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
