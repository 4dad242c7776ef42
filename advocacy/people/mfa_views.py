"""Two-step sign-in pages: the code step after a right password, and Profile → Two-step sign-in.

After a right password, someone with an authenticator app is *not* signed in yet: the session
only remembers who they said they were (``PENDING_KEY``, for ``PENDING_SECONDS``) until the code
step accepts a code. A wrong code is a failed login for django-axes, so it counts towards the same
lockout as a wrong password (that username from that address, and the address as a whole).
"""

import time

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.signals import user_login_failed
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods

from advocacy.forms import posted

from .access import permission_required
from .forms import AppCodeForm, SecondFactorCodeForm
from .mfa import (
    CodeRefused,
    authenticator_confirm,
    authenticator_for,
    authenticator_qr_svg,
    authenticator_remove,
    authenticator_secret,
    authenticator_start,
    has_authenticator,
    mfa_required_for,
    recovery_code_display,
    recovery_codes_left,
    recovery_codes_regenerate,
    second_factor_verify,
)
from .mfa_gate import ENROL_REQUIRED_KEY, PASSWORD_SIGN_IN_KEY
from .models import User
from .roles import EMPLOYEE_AREA

PENDING_KEY = "mfa_pending"
PENDING_SECONDS = 5 * 60
FRESH_CODES_KEY = "mfa_fresh_codes"
# New recovery codes stay on offer (page and download) this long, or until "I have saved them".
FRESH_CODES_SECONDS = 15 * 60
FEW_RECOVERY_CODES = 3


def _safe_next(request, value: str | None, default: str) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=False):
        return value
    return default


def sign_in_after_password(request, user: User, *, redirect_to: str) -> HttpResponse:
    """The password was right: sign in, or first ask for the second step (the session is not signed in yet)."""
    request.session.pop(PENDING_KEY, None)
    if has_authenticator(user=user):
        # A new session key: someone who planted the old one must not be able to finish this sign-in.
        request.session.cycle_key()
        request.session[PENDING_KEY] = {
            "user_id": user.pk,
            "backend": user.backend,
            "next": redirect_to,
            "at": int(time.time()),
        }
        return redirect("login_code")
    auth_login(request, user)
    request.session[PASSWORD_SIGN_IN_KEY] = True
    if mfa_required_for(user=user):
        request.session[ENROL_REQUIRED_KEY] = True
        return redirect(f"{reverse('people:security_setup')}?{urlencode({'next': redirect_to})}")
    return redirect(redirect_to)


def _pending(request) -> tuple[User, str, str] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=pending.get("user_id"), is_active=True).first()
    if user is None:
        return None
    return user, pending["backend"], pending["next"]


@require_http_methods(["GET", "POST"])
def login_code(request):
    pending = _pending(request)
    if pending is None:
        if PENDING_KEY in request.session:
            del request.session[PENDING_KEY]
            messages.info(request, "Signing in took too long. Enter your username and password again.")
        return redirect("login")
    user, backend, next_url = pending
    form = SecondFactorCodeForm(*posted(request))
    if request.method == "POST":
        credentials = {"username": user.get_username()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            del request.session[PENDING_KEY]
            return get_lockout_response(request, None, credentials)
        if form.is_valid():
            try:
                factor = second_factor_verify(user=user, code=form.cleaned_data["code"])
            except CodeRefused as refusal:
                form.add_error("code", str(refusal))
                if not refusal.throttled:
                    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
                if getattr(request, "axes_locked_out", False):
                    # django-axes answers with the lockout page; this sign-in is over.
                    del request.session[PENDING_KEY]
            else:
                del request.session[PENDING_KEY]
                auth_login(request, user, backend=backend)
                request.session[PASSWORD_SIGN_IN_KEY] = True
                if factor.recovery_code_used:
                    _recovery_code_used_message(request, factor.recovery_codes_left)
                return redirect(next_url)
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/login_code.html", {"form": form}, status=status)


def _recovery_code_used_message(request, left: int) -> None:
    text = f"You signed in with a recovery code; it will not work again. You have {left} left."
    if left <= FEW_RECOVERY_CODES:
        messages.warning(request, f"{text} Make new ones under Profile → Two-step sign-in.")
    else:
        messages.info(request, text)


def _offer_codes(request, codes: list[str]) -> None:
    request.session[FRESH_CODES_KEY] = {"codes": codes, "at": int(time.time())}


def _fresh_codes(request) -> list[str]:
    fresh = request.session.get(FRESH_CODES_KEY)
    if not isinstance(fresh, dict) or time.time() - fresh.get("at", 0) > FRESH_CODES_SECONDS:
        return []
    return [recovery_code_display(code) for code in fresh.get("codes", [])]


@permission_required(EMPLOYEE_AREA)
def security(request):
    app = authenticator_for(user=request.user)
    context = {
        "app": app,
        "codes_left": recovery_codes_left(user=request.user) if app else 0,
        "required": mfa_required_for(user=request.user),
    }
    return render(request, "people/security.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(EMPLOYEE_AREA)
def security_setup(request):
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"), "")
    if has_authenticator(user=request.user):
        messages.info(request, "Two-step sign-in is already on.")
        return redirect("people:security")
    form = AppCodeForm(*posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            codes = authenticator_confirm(user=request.user, code=form.cleaned_data["code"])
        except CodeRefused as refusal:
            form.add_error("code", str(refusal))
        else:
            request.session.pop(ENROL_REQUIRED_KEY, None)
            _offer_codes(request, codes)
            messages.success(request, "Two-step sign-in is on. Keep your recovery codes somewhere safe.")
            codes_url = reverse("people:security_codes")
            return redirect(f"{codes_url}?{urlencode({'next': next_url})}" if next_url else codes_url)
    device = authenticator_start(user=request.user)
    context = {
        "form": form,
        "qr_svg": authenticator_qr_svg(device),
        "secret": authenticator_secret(device),
        "next": next_url,
        "required": request.session.get(ENROL_REQUIRED_KEY, False),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "people/security_setup.html", context, status=status)


@require_http_methods(["GET", "POST"])
@permission_required(EMPLOYEE_AREA)
def security_codes(request):
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"), reverse("people:security"))
    if request.method == "POST":
        # "I have saved them": the codes are not shown again.
        request.session.pop(FRESH_CODES_KEY, None)
        return redirect(next_url)
    context = {
        "codes": _fresh_codes(request),
        "codes_left": recovery_codes_left(user=request.user),
        "next": next_url,
    }
    return render(request, "people/security_codes.html", context)


@require_http_methods(["GET"])
@permission_required(EMPLOYEE_AREA)
def security_codes_download(request):
    codes = _fresh_codes(request)
    if not codes:
        messages.info(request, "Recovery codes can only be downloaded right after they are made. Make new ones.")
        return redirect("people:security_codes")
    lines = [
        f"Recovery codes for {request.user.get_username()} ({request.get_host()})",
        "Each code signs you in once, when you cannot use your authenticator app.",
        "",
        *codes,
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="advocacy-recovery-codes.txt"'
    response["Cache-Control"] = "no-store"
    return response


def _code_confirmed_page(request, *, template: str, on_code):
    """A page that does one thing once a current code is typed (new recovery codes, removing the app).

    ``on_code(code)`` does it and returns the response; a refused code shows the form again with why.
    """
    if not has_authenticator(user=request.user):
        messages.info(request, "Two-step sign-in is off.")
        return redirect("people:security")
    form = SecondFactorCodeForm(*posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            return on_code(form.cleaned_data["code"])
        except CodeRefused as refusal:
            form.add_error("code", str(refusal))
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@permission_required(EMPLOYEE_AREA)
def security_codes_new(request):
    def regenerate(code):
        _offer_codes(request, recovery_codes_regenerate(user=request.user, code=code))
        messages.success(request, "You have new recovery codes; the old ones no longer work.")
        return redirect("people:security_codes")

    return _code_confirmed_page(request, template="people/security_codes_new.html", on_code=regenerate)


@require_http_methods(["GET", "POST"])
@permission_required(EMPLOYEE_AREA)
def security_remove(request):
    def remove(code):
        authenticator_remove(user=request.user, code=code)
        request.session.pop(FRESH_CODES_KEY, None)
        if request.session.get(PASSWORD_SIGN_IN_KEY) and mfa_required_for(user=request.user):
            request.session[ENROL_REQUIRED_KEY] = True
            messages.info(request, "Your app is removed. Your role needs two-step sign-in: set up the new one now.")
            return redirect("people:security_setup")
        messages.success(request, "Two-step sign-in is off: your app and your recovery codes no longer work.")
        return redirect("people:security")

    return _code_confirmed_page(request, template="people/security_remove.html", on_code=remove)
