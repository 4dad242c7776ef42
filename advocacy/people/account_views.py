"""Django's password views with our rules: a throttled reset that mails from a worker, unlocks on success."""

from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect

from .accounts import ResetThrottled, password_reset_completed, password_reset_request, password_reset_throttle
from .client_address import pseudonymous_client_address


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
