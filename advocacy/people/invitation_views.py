"""Inviting people (HR) and accepting an invitation (the invited person, not signed in yet)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.forms import posted

from .access import permission_required
from .directory_forms import InviteForm
from .invitations import (
    INVALID_MESSAGES,
    InvitationRefused,
    invitation_accept,
    invitation_from_token,
    invitation_revoke,
    invitation_send,
    invitation_state,
    sso_login_url,
)
from .invitations import (
    person_invite as person_invite_create,
)
from .models import Invitation
from .roles import HR_WORKSPACE, Role
from .selectors import person_for_directory


@require_http_methods(["GET", "POST"])
@permission_required(HR_WORKSPACE)
def person_invite_new(request):
    form = InviteForm(*posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            invitation = person_invite_create(
                email=form.cleaned_data["email"],
                display_name=form.cleaned_data["display_name"],
                team=form.cleaned_data["team"],
                roles=[Role(name) for name in form.cleaned_data["roles"]],
                actor=request.user,
            )
        except InvitationRefused as refusal:
            form.add_error("email", str(refusal))
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("people:person_detail", user_id=invitation.user_id)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "expiry_days": settings.INVITATION_EXPIRY_DAYS}
    return render(request, "people/invite_new.html", context, status=status)


@require_POST
@permission_required(HR_WORKSPACE)
def person_invite(request, user_id):
    """Send an invitation, or a new one (the earlier link stops working)."""
    person = person_for_directory(user_id=user_id)
    try:
        invitation = invitation_send(user=person, actor=request.user)
    except InvitationRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("Invitation sent to %(email)s; it works for one sign-up until %(date)s.")
            % {"email": invitation.email, "date": date_format(invitation.expires_at, "j F")},
        )
    return redirect("people:person_detail", user_id=person.pk)


@require_POST
@permission_required(HR_WORKSPACE)
def invitation_revoke_view(request, invitation_id):
    invitation = get_object_or_404(Invitation, pk=invitation_id)
    if invitation_revoke(invitation=invitation, actor=request.user):
        messages.success(request, _("The invitation link no longer works."))
    else:
        messages.error(request, _("That invitation was already used or withdrawn."))
    return redirect("people:person_detail", user_id=invitation.user_id)


@require_http_methods(["GET", "POST"])
def invitation_accept_view(request, token):
    """Public: the link from the email. Sets a password (or offers SSO), then signs the person in."""
    invitation = invitation_from_token(token=token)
    state = invitation_state(invitation=invitation).key if invitation else "unknown"
    if state != "pending":
        status = 404 if state == "unknown" else 410
        return render(request, "people/invitation_invalid.html", {"message": INVALID_MESSAGES[state]}, status=status)
    person = invitation.user
    form = SetPasswordForm(person, *posted(request)[:1])
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(invitation=invitation, password=form.cleaned_data["new_password1"])
        except InvitationRefused as refusal:
            return render(request, "people/invitation_invalid.html", {"message": str(refusal)}, status=410)
        if request.user.is_authenticated and request.user.pk != user.pk:
            logout(request)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("home")
    context = {
        "invitation": invitation,
        "person": person,
        "form": form,
        "sso_url": sso_login_url(),
        "signed_in_as_other": request.user.is_authenticated and request.user.pk != person.pk,
    }
    return render(request, "people/invitation_accept.html", context, status=400 if form.errors else 200)
