import functools

from django.conf import settings
from django.contrib.auth import logout as auth_logout
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from advocacy.people.identity import IdentityRefused

from . import oidc, saml
from .failures import SignInFailure, failure_page
from .services import SESSION_KEY, sso_sign_in


def _safe_next(request, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return ""


def sign_in_step(protocol: str):
    """A view of the sign-in flow: a failure of any step (ours, the library's, or the people app
    refusing the identity) ends on the one failure page, logged once, whichever view raised it."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except IdentityRefused as refusal:
                failure = SignInFailure(str(refusal), reason=f"identity refused {type(refusal).__name__}", status=403)
            except SignInFailure as caught:
                failure = caught
            return failure_page(request, failure, protocol=protocol)

        return wrapper

    return decorate


@require_GET
@sign_in_step("oidc")
def oidc_login(request):
    if not settings.OIDC_ENABLED:
        raise Http404("OpenID Connect is not configured.")
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    url = oidc.sign_in_start(session=request.session, next_url=_safe_next(request, request.GET.get("next", "")))
    return HttpResponseRedirect(url)


@require_GET
@sign_in_step("oidc")
def oidc_callback(request):
    if not settings.OIDC_ENABLED:
        raise Http404("OpenID Connect is not configured.")
    result = oidc.sign_in_finish(session=request.session, params=request.GET)
    sso_sign_in(request=request, attributes=result.attributes, protocol="oidc", logout={"id_token": result.id_token})
    return redirect(_safe_next(request, result.next_url) or settings.LOGIN_REDIRECT_URL)


def _saml_enabled():
    if not settings.SAML_ENABLED:
        raise Http404("SAML is not configured.")


@require_GET
def saml_metadata(request):
    """Our service provider metadata, at a stable URL to give to the IdP."""
    _saml_enabled()
    return HttpResponse(saml.sp_metadata_xml(), content_type="application/samlmetadata+xml")


@require_GET
@sign_in_step("saml")
def saml_login(request):
    _saml_enabled()
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    url = saml.sign_in_start(session=request.session, next_url=_safe_next(request, request.GET.get("next", "")))
    return HttpResponseRedirect(url)


# The IdP's page posts here from its own site: there is no CSRF token (nor our session cookie).
# What protects it is the signature, the one-use request ID it answers, and the finishing step.
@csrf_exempt
@require_POST
@sign_in_step("saml")
def saml_acs(request):
    _saml_enabled()
    handoff = saml.assertion_consume(raw_response=request.POST.get("SAMLResponse", ""))
    response = HttpResponseRedirect(f"{reverse('sso:saml_finish')}?{urlencode({'handoff': handoff})}")
    response.status_code = 303
    return response


@require_GET
@sign_in_step("saml")
def saml_finish(request):
    _saml_enabled()
    attributes, next_url = saml.sign_in_finish(session=request.session, handoff=request.GET.get("handoff", ""))
    sso_sign_in(request=request, attributes=attributes, protocol="saml")
    return redirect(_safe_next(request, next_url) or settings.LOGIN_REDIRECT_URL)


@require_POST
def logout(request):
    """End the session here and, after an OIDC sign-in, at the provider too (RP-initiated logout).

    The provider is reached through a page of ours rather than a redirect: every page's CSP has
    form-action 'self', and a form post that redirects to another origin is blocked.
    """
    signed_in_with = request.session.get(SESSION_KEY) or {}
    auth_logout(request)
    if signed_in_with.get("protocol") == "oidc" and settings.OIDC_ENABLED and signed_in_with.get("id_token"):
        provider_url = oidc.end_session_url(id_token=signed_in_with["id_token"])
        if provider_url:
            context = {"provider_url": provider_url, "company": settings.SSO_COMPANY_NAME}
            return render(request, "sso/signed_out.html", context)
    return redirect(settings.LOGOUT_REDIRECT_URL)
