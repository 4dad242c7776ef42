"""SAML 2.0 sign-in (SP-initiated, HTTP-Redirect out, HTTP-POST back) with pysaml2 and xmlsec1.

pysaml2 checks the response: the assertion's signature against the IdP's metadata certificate
(signed assertions are required), audience, destination and recipient, InResponseTo against
the request we sent, and the validity window with SSO_CLOCK_SKEW_SECONDS of slack.

The IdP posts its answer from another site, so the browser does not send our (SameSite=Lax)
session cookie with it. The request we sent is therefore remembered server-side (the cache,
keyed by its random ID, one use), and the checked answer is handed to a same-site GET
(`/sso/saml/finish/`) which does carry the session: only the browser that started the sign-in
can finish it.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import secrets
from pathlib import Path

import requests
from defusedxml import ElementTree
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import gettext as _
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, SAMLError
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.response import StatusAuthnFailed, StatusError, StatusRequestDenied, UnsolicitedResponse
from saml2.saml import NAMEID_FORMAT_PERSISTENT
from saml2.sigver import SignatureError, SigverError
from saml2.validate import ResponseLifetimeExceed, ToEarly

from advocacy.people.identity import PersonAttributes, attributes_from_claims

from .failures import SignInFailure

PENDING_KEY = "sso_saml_pending"
PENDING_LIMIT = 5
METADATA_CACHE_SECONDS = 3600
HANDOFF_SECONDS = 120


def _company() -> str:
    return settings.SSO_COMPANY_NAME


def acs_url() -> str:
    return settings.SITE_URL + reverse("sso:saml_acs")


def idp_metadata_xml() -> str:
    """SAML_IDP_METADATA's text: a file, or a URL fetched at most once an hour."""
    source = settings.SAML_IDP_METADATA
    if not source.startswith(("http://", "https://")):
        return Path(source).read_text()
    key = f"sso:saml:idp-metadata:{source}"
    xml = cache.get(key)
    if xml is None:
        try:
            response = requests.get(source, timeout=settings.SSO_HTTP_TIMEOUT)
            response.raise_for_status()
            xml = response.text
        except requests.RequestException as error:
            raise SignInFailure(
                _("The sign-in service of %(company)s did not answer properly. Try again in a few minutes.")
                % {"company": _company()},
                reason=f"idp metadata {type(error).__name__}",
                status=502,
            ) from None
        cache.set(key, xml, METADATA_CACHE_SECONDS)
    return xml


def sp_config(*, with_idp: bool = True) -> SPConfig:
    config = {
        "entityid": settings.SAML_SP_ENTITY_ID,
        "xmlsec_binary": settings.SAML_XMLSEC_BINARY,
        "service": {
            "sp": {
                "name": "Advocacy",
                "endpoints": {"assertion_consumer_service": [(acs_url(), BINDING_HTTP_POST)]},
                "want_assertions_signed": True,
                "want_response_signed": False,
                "authn_requests_signed": False,
                "allow_unsolicited": False,
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "name_id_format_allow_create": True,
            }
        },
        "accepted_time_diff": settings.SSO_CLOCK_SKEW_SECONDS,
        "allow_unknown_attributes": True,
    }
    if with_idp:
        config["metadata"] = {"inline": [idp_metadata_xml()]}
    conf = SPConfig()
    conf.load(config)
    return conf


def sp_metadata_xml() -> str:
    return str(entity_descriptor(sp_config(with_idp=False)))


def _idp_entity_id(conf: SPConfig) -> str:
    idps = list(conf.metadata.identity_providers()) if conf.metadata else []
    if len(idps) != 1:
        raise SignInFailure(
            _("The SAML metadata of %(company)s names %(count)s identity providers; this site needs exactly one.")
            % {"company": _company(), "count": len(idps)},
            reason=f"idp metadata lists {len(idps)} idps",
            status=502,
            retry=False,
        )
    return idps[0]


def sign_in_start(*, session, next_url: str) -> str:
    """Make an AuthnRequest, remember it, and return the IdP URL to send the browser to."""
    conf = sp_config()
    client = Saml2Client(conf)
    request_id, info = client.prepare_for_authenticate(entityid=_idp_entity_id(conf), binding=BINDING_HTTP_REDIRECT)
    cache.set(f"sso:saml:request:{request_id}", {"next": next_url}, settings.SSO_STATE_MAX_AGE_SECONDS)
    pending = [*(session.get(PENDING_KEY) or []), request_id][-PENDING_LIMIT:]
    session[PENDING_KEY] = pending
    return dict(info["headers"])["Location"]


def _in_response_to(raw: str) -> str:
    try:
        root = ElementTree.fromstring(base64.b64decode(raw, validate=False))
    except (binascii.Error, ValueError, ElementTree.ParseError) as error:
        raise SignInFailure(
            _("The sign-in answer could not be read."), reason=f"unreadable response {type(error).__name__}"
        ) from None
    return root.get("InResponseTo") or ""


def _not_started_here() -> SignInFailure:
    return SignInFailure(
        _("This sign-in was not started here, was already used, or took too long. Start again from the login page."),
        reason="unknown, reused or expired request",
    )


def _bad_signature(reason: str) -> SignInFailure:
    return SignInFailure(
        _(
            "The sign-in answer from %(company)s is not signed by the "
            "identity provider this site trusts, so it was refused."
        )
        % {"company": _company()},
        reason=reason,
    )


def assertion_consume(*, raw_response: str) -> str:
    """Check a posted SAMLResponse; keep who it describes for the finishing step and return its key."""
    if not raw_response:
        raise SignInFailure(_("The sign-in answer was empty. Start again."), reason="no SAMLResponse")
    request_id = _in_response_to(raw_response)
    request_key = f"sso:saml:request:{request_id}"
    pending = cache.get(request_key) if request_id else None
    if pending is None:
        raise _not_started_here()
    conf = sp_config()
    client = Saml2Client(conf)
    try:
        response = client.parse_authn_request_response(raw_response, BINDING_HTTP_POST, {request_id: pending["next"]})
    except (StatusRequestDenied, StatusAuthnFailed, StatusError) as error:
        message = str(error).strip()[:300]
        said = (" " + _("It said: “%(text)s”") % {"text": message}) if message else ""
        raise SignInFailure(
            _("%(company)s's sign-in service refused to sign you in to this application.%(said)s")
            % {"company": _company(), "said": said},
            reason=f"idp status {type(error).__name__}",
            status=403,
        ) from None
    except (ResponseLifetimeExceed, ToEarly) as error:
        raise SignInFailure(
            _(
                "The sign-in answer from %(company)s is not valid at this time: this server's clock and the "
                "provider's differ by more than %(seconds)s seconds, or the answer is old."
            )
            % {"company": _company(), "seconds": settings.SSO_CLOCK_SKEW_SECONDS},
            reason=f"validity {type(error).__name__}",
        ) from None
    except (SignatureError, SigverError) as error:
        raise _bad_signature(f"signature {type(error).__name__}") from None
    except UnsolicitedResponse:
        raise _not_started_here() from None
    except (SAMLError, ValueError, TypeError, AttributeError) as error:
        raise _bad_signature(f"invalid response {type(error).__name__}") from None
    if response is None or response.assertion is None:
        raise _bad_signature("no assertion")
    if not cache.delete(request_key):
        raise _not_started_here()  # another post of the same answer got here first
    issuer = response.issuer()
    name_id = response.name_id.text if response.name_id is not None else ""
    if not name_id:
        raise SignInFailure(_("The sign-in answer did not say who you are (no NameID)."), reason="no name id")
    attributes = attributes_from_claims(source=f"saml:{issuer}", subject=name_id, claims=response.get_identity())
    handoff = secrets.token_urlsafe(24)
    data = {"attributes": dataclasses.asdict(attributes), "request_id": request_id, "next": pending["next"]}
    cache.set(f"sso:saml:handoff:{handoff}", data, HANDOFF_SECONDS)
    return handoff


def sign_in_finish(*, session, handoff: str) -> tuple[PersonAttributes, str]:
    """In the browser that started it: the checked answer, once."""
    key = f"sso:saml:handoff:{handoff}"
    data = cache.get(key) if handoff else None
    if data is None or not cache.delete(key):
        raise _not_started_here()
    pending = list(session.get(PENDING_KEY) or [])
    if data["request_id"] not in pending:
        raise SignInFailure(
            _("This sign-in was started in another browser. Start again from the login page in this one."),
            reason="handoff in another session",
        )
    pending.remove(data["request_id"])
    session[PENDING_KEY] = pending
    fields = data["attributes"]
    attributes = PersonAttributes(**{**fields, "groups": tuple(fields["groups"])})
    return attributes, data["next"]
