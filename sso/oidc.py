"""OpenID Connect sign-in (authorization code + PKCE) with any provider found through discovery.

Authlib does the protocol (authorization URL with S256 PKCE and nonce, the token request, the
ID token's signature against the provider's JWKS, iss/aud/exp/iat/nonce/at_hash); this module
adds what a product needs around it: the issuer check at discovery and on the authorization
response (RFC 9207), a started sign-in that expires and can be used once, and a sentence for
every way it can fail.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests
from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import gettext as _
from joserfc.errors import ClaimError, ExpiredTokenError, InvalidClaimError, JoseError

from advocacy.people.identity import PersonAttributes, attributes_from_claims

from .failures import SignInFailure

PENDING_KEY = "sso_oidc_pending"
# A person may start sign-in from a few tabs; older attempts beyond this are forgotten.
PENDING_LIMIT = 5
METADATA_CACHE_SECONDS = 3600


def _company() -> str:
    return settings.SSO_COMPANY_NAME


def _unreachable(reason: str) -> SignInFailure:
    return SignInFailure(
        _("The sign-in service of %(company)s did not answer properly. Try again in a few minutes.")
        % {"company": _company()},
        reason=reason,
        status=502,
    )


def _unknown_issuer(issuer: str | None, reason: str) -> SignInFailure:
    named = f" ({issuer})" if issuer else ""
    return SignInFailure(
        _(
            "The sign-in answer came from an identity provider this site does not know%(named)s; this "
            "site only accepts %(issuer)s. Start again from this site's login page."
        )
        % {"named": named, "issuer": settings.OIDC_ISSUER},
        reason=reason,
    )


def provider_metadata() -> dict:
    """The provider's discovery document, cached an hour; its issuer must be OIDC_ISSUER exactly."""
    issuer = settings.OIDC_ISSUER
    key = f"sso:oidc:metadata:{issuer}"
    metadata = cache.get(key)
    if metadata is not None:
        return metadata
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.SSO_HTTP_TIMEOUT)
        response.raise_for_status()
        metadata = response.json()
    except (requests.RequestException, ValueError) as error:
        raise _unreachable(f"discovery {type(error).__name__}") from None
    if not isinstance(metadata, dict) or metadata.get("issuer") != issuer:
        found = metadata.get("issuer") if isinstance(metadata, dict) else None
        raise _unknown_issuer(str(found), "discovery issuer mismatch")
    cache.set(key, metadata, METADATA_CACHE_SECONDS)
    return metadata


def _client(metadata: dict):
    oauth = OAuth()
    oauth.register(
        "oidc",
        client_id=settings.OIDC_CLIENT_ID,
        client_secret=settings.OIDC_CLIENT_SECRET,
        client_kwargs={
            "scope": settings.OIDC_SCOPES,
            "code_challenge_method": "S256",
            "timeout": settings.SSO_HTTP_TIMEOUT,
        },
        **metadata,
    )
    return oauth.create_client("oidc")


def redirect_uri() -> str:
    return settings.SITE_URL + reverse("sso:oidc_callback")


def sign_in_start(*, session, next_url: str) -> str:
    """Remember a new attempt in the session and return the provider's authorization URL."""
    client = _client(provider_metadata())
    result = client.create_authorization_url(redirect_uri(), nonce=generate_token(24))
    pending = dict(session.get(PENDING_KEY) or {})
    pending[result["state"]] = {
        "nonce": result["nonce"],
        "code_verifier": result["code_verifier"],
        "started_at": time.time(),
        "next": next_url,
    }
    session[PENDING_KEY] = dict(sorted(pending.items(), key=lambda item: item[1]["started_at"])[-PENDING_LIMIT:])
    return result["url"]


@dataclass(frozen=True)
class SignInResult:
    attributes: PersonAttributes
    id_token: str
    next_url: str


def _take_pending(session, state: str) -> dict:
    pending = dict(session.get(PENDING_KEY) or {})
    attempt = pending.pop(state, None) if state else None
    session[PENDING_KEY] = pending
    if attempt is None:
        raise SignInFailure(
            _("This sign-in was not started here, or it was already used. Start again from the login page."),
            reason="unknown or reused state",
        )
    if time.time() - attempt["started_at"] > settings.SSO_STATE_MAX_AGE_SECONDS:
        raise SignInFailure(
            _("This sign-in took too long and has expired. Start again from the login page."), reason="expired state"
        )
    return attempt


def _provider_refusal(params) -> SignInFailure:
    error = params.get("error", "")
    description = params.get("error_description", "").strip()[:300]
    if error in ("access_denied", "login_required", "interaction_required", "consent_required"):
        said = (" " + _("It said: “%(text)s”") % {"text": description}) if description else ""
        return SignInFailure(
            _("%(company)s's sign-in service refused to sign you in to this application.%(said)s")
            % {"company": _company(), "said": said},
            reason=f"provider error={error[:40]}",
            status=403,
        )
    return SignInFailure(
        _("%(company)s's sign-in service answered with an error (%(error)s).")
        % {"company": _company(), "error": error[:40]},
        reason=f"provider error={error[:40]}",
    )


def _id_token_claims(client, token: dict, nonce: str) -> dict:
    try:
        return dict(client.parse_id_token(token, nonce=nonce, leeway=settings.SSO_CLOCK_SKEW_SECONDS))
    except ExpiredTokenError:
        raise _clock_failure("id token expired") from None
    except InvalidClaimError as error:
        if error.claim == "iss":
            raise _unknown_issuer(None, "id token iss mismatch") from None
        if error.claim in ("exp", "iat", "nbf"):
            raise _clock_failure(f"id token {error.claim}") from None
        raise _bad_token(f"id token claim {error.claim}") from None
    except ClaimError as error:
        raise _bad_token(f"id token {type(error).__name__}") from None
    except (JoseError, ValueError) as error:
        raise _bad_token(f"id token {type(error).__name__}") from None
    except (requests.RequestException, RuntimeError) as error:
        raise _unreachable(f"jwks {type(error).__name__}") from None


def _clock_failure(reason: str) -> SignInFailure:
    return SignInFailure(
        _(
            "The sign-in answer from %(company)s is not valid at this time: this server's "
            "clock and the provider's differ by more than %(seconds)s seconds."
        )
        % {"company": _company(), "seconds": settings.SSO_CLOCK_SKEW_SECONDS},
        reason=reason,
    )


def _bad_token(reason: str) -> SignInFailure:
    return SignInFailure(
        _("The sign-in answer from %(company)s could not be verified (its signature or contents are wrong).")
        % {"company": _company()},
        reason=reason,
    )


def sign_in_finish(*, session, params) -> SignInResult:
    """Check the authorization response, redeem the code and return who the provider says this is."""
    attempt = _take_pending(session, params.get("state", ""))
    issuer = settings.OIDC_ISSUER
    metadata = provider_metadata()
    returned_issuer = params.get("iss")
    if returned_issuer is not None and returned_issuer != issuer:
        raise _unknown_issuer(returned_issuer[:200], "authorization response iss mismatch")
    if returned_issuer is None and metadata.get("authorization_response_iss_parameter_supported"):
        raise _unknown_issuer(None, "authorization response without iss")
    if params.get("error"):
        raise _provider_refusal(params)
    if not params.get("code"):
        raise SignInFailure(_("The sign-in answer carried no code. Start again."), reason="no code")
    client = _client(metadata)
    try:
        token = client.fetch_access_token(
            redirect_uri=redirect_uri(), code=params["code"], code_verifier=attempt["code_verifier"]
        )
    except OAuthError as error:
        raise SignInFailure(
            _(
                "The sign-in code was refused by the provider: it was already used or has expired. "
                "Start again from the login page."
            ),
            reason=f"token endpoint error={str(error.error)[:40]}",
        ) from None
    except (requests.RequestException, ValueError) as error:
        raise _unreachable(f"token endpoint {type(error).__name__}") from None
    if "id_token" not in token:
        raise _bad_token("no id token")
    claims = _id_token_claims(client, token, attempt["nonce"])
    if metadata.get("userinfo_endpoint"):
        try:
            userinfo = dict(client.userinfo(token=token))
        except (requests.RequestException, OAuthError, ValueError) as error:
            raise _unreachable(f"userinfo {type(error).__name__}") from None
        if userinfo.get("sub") != claims["sub"]:
            raise _bad_token("userinfo sub mismatch")
        claims = {**claims, **userinfo}
    if claims.get("email_verified") is False:
        raise SignInFailure(
            _("%(company)s says your email address is not verified yet, so it cannot be used to sign in here.")
            % {"company": _company()},
            reason="email not verified",
            status=403,
        )
    attributes = attributes_from_claims(source=f"oidc:{issuer}", subject=str(claims["sub"]), claims=claims)
    return SignInResult(attributes=attributes, id_token=token["id_token"], next_url=attempt["next"])


def end_session_url(*, id_token: str) -> str | None:
    """Where to send the browser so the provider ends its session too (RP-initiated logout), if it can."""
    try:
        endpoint = provider_metadata().get("end_session_endpoint")
    except SignInFailure:
        return None
    if not endpoint:
        return None
    params = {
        "id_token_hint": id_token,
        "client_id": settings.OIDC_CLIENT_ID,
        "post_logout_redirect_uri": settings.SITE_URL + reverse("login"),
    }
    return add_params_to_uri(endpoint, params)
