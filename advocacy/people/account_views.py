"""Django's login and password views with our rules.

Login: a right password signs in, or first asks for the second step (``mfa_views``). The reset is
throttled, mails from a worker and unlocks on success.
"""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import reverse

from .accounts import ResetThrottled, password_reset_completed, password_reset_request, password_reset_throttle
from .client_address import pseudonymous_client_address
from .mfa_views import sign_in_after_password


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def form_valid(self, form):
        return sign_in_after_password(self.request, form.get_user(), redirect_to=self.get_success_url())


def admin_login(request):
    """The admin's own login page (staff only), with the same second step as everyone's."""
    site = admin.site
    if request.method == "GET" and site.has_permission(request):
        return HttpResponseRedirect(reverse("admin:index", current_app=site.name))
    context = {
        **site.each_context(request),
        "title": "Log in",
        "subtitle": None,
        "app_path": request.get_full_path(),
        "username": request.user.get_username(),
    }
    if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
        context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=site.name)
    request.current_app = site.name
    view = LoginView.as_view(
        redirect_authenticated_user=False,
        extra_context=context,
        authentication_form=AdminAuthenticationForm,
        template_name="admin/login.html",
    )
    return view(request)


class PasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form):
        email = form.cleaned_data["email"]
        try:
            password_reset_throttle(address=pseudonymous_client_address(self.request), email=email)
        except ResetThrottled as refusal:
            form.add_error(None, str(refusal))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        password_reset_request(email=email)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        password_reset_completed(user=form.user)
        return response
