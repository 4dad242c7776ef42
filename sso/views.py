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


def _refused(refusal: IdentityRefused) -> SignInFailure:
    return SignInFailure(str(refusal), reason="identity refused", status=403)


@require_GET
def oidc_login(request):
    if not settings.OIDC_ENABLED:
        raise Http404("OpenID Connect is not configured.")
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    try:
        url = oidc.sign_in_start(session=request.session, next_url=_safe_next(request, request.GET.get("next", "")))
    except SignInFailure as failure:
        return failure_page(request, failure, protocol="oidc")
    return HttpResponseRedirect(url)


@require_GET
def oidc_callback(request):
    if not settings.OIDC_ENABLED:
        raise Http404("OpenID Connect is not configured.")
    try:
        try:
            result = oidc.sign_in_finish(session=request.session, params=request.GET)
        except IdentityRefused as refusal:
            raise _refused(refusal) from None
        logout = {"id_token": result.id_token}
        sso_sign_in(request=request, attributes=result.attributes, protocol="oidc", logout=logout)
    except SignInFailure as failure:
        return failure_page(request, failure, protocol="oidc")
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
def saml_login(request):
    _saml_enabled()
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    try:
        url = saml.sign_in_start(session=request.session, next_url=_safe_next(request, request.GET.get("next", "")))
    except SignInFailure as failure:
        return failure_page(request, failure, protocol="saml")
    return HttpResponseRedirect(url)


# The IdP's page posts here from its own site: there is no CSRF token (nor our session cookie).
# What protects it is the signature, the one-use request ID it answers, and the finishing step.
@csrf_exempt
@require_POST
def saml_acs(request):
    _saml_enabled()
    try:
        try:
            handoff = saml.assertion_consume(raw_response=request.POST.get("SAMLResponse", ""))
        except IdentityRefused as refusal:
            raise _refused(refusal) from None
    except SignInFailure as failure:
        return failure_page(request, failure, protocol="saml")
    response = HttpResponseRedirect(f"{reverse('sso:saml_finish')}?{urlencode({'handoff': handoff})}")
    response.status_code = 303
    return response


@require_GET
def saml_finish(request):
    _saml_enabled()
    try:
        attributes, next_url = saml.sign_in_finish(session=request.session, handoff=request.GET.get("handoff", ""))
        sso_sign_in(request=request, attributes=attributes, protocol="saml")
    except SignInFailure as failure:
        return failure_page(request, failure, protocol="saml")
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
