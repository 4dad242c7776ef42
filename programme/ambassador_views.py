"""Pages for ambassadors: comms invite, group and feature them; employees answer, preview and consent."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from advocacy.forms import form_errors_from, posted
from advocacy.people.access import permission_required
from advocacy.people.models import User
from advocacy.people.roles import COMMS_WORKSPACE, EMPLOYEE_AREA

from . import ambassadors, ambassadorship, insiders, preview
from .forms import (
    BetaGroupForm,
    CohortAddForm,
    CohortForm,
    FeedbackForm,
    InsiderProfileForm,
    InsidersPageForm,
    InvitationForm,
)
from .models import BetaGroup, Cohort

INVITATIONS_ON_PAGE = 200


def _name(user) -> str:
    return user.display_name or user.username


# --- comms -----------------------------------------------------------------------------------


@permission_required(COMMS_WORKSPACE)
def ambassador_candidates(request):
    candidates = ambassadors.ambassador_candidates()
    latest = ambassadorship.latest_invitations(user_ids=[c.user_id for c in candidates])
    for candidate in candidates:
        candidate.invitation = latest.get(candidate.user_id)
    return render(
        request,
        "programme/ambassador_candidates.html",
        {"candidates": candidates, "weights": ambassadors.WEIGHTS, "invite_form": InvitationForm()},
    )


@require_POST
@permission_required(COMMS_WORKSPACE)
def ambassador_invite(request, user_id: int):
    person = get_object_or_404(User, pk=user_id)
    form = InvitationForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    try:
        ambassadorship.ambassador_invite(user=person, invited_by=request.user, message=message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if person.email:
            text = _("%(name)s is invited. An email tells them; they answer from their start page.")
        else:
            text = _("%(name)s is invited. We have no email address for them; they answer from their start page.")
        messages.success(request, text % {"name": _name(person)})
    return redirect("programme:ambassador_candidates")


@permission_required(COMMS_WORKSPACE)
def ambassador_list(request):
    invitations = list(ambassadorship.invitation_list()[:INVITATIONS_ON_PAGE])
    profiles = {profile.user_id: profile for profile in insiders.featured_list()}
    for invitation in invitations:
        invitation.insider = profiles.get(invitation.user_id) if invitation.status == "accepted" else None
        invitation.unfeature_url = reverse("programme:insider_unfeature", kwargs={"user_id": invitation.user_id})
    page_form = InsidersPageForm(initial={"enabled": insiders.programme_settings().insiders_page_enabled})
    return render(
        request,
        "programme/ambassador_list.html",
        {"invitations": invitations, "page_form": page_form},
    )


@require_POST
@permission_required(COMMS_WORKSPACE)
def insider_feature(request, user_id: int):
    person = get_object_or_404(User, pk=user_id)
    try:
        insiders.insider_feature(user=person, featured_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(name)s is asked to appear on the Insiders page; they decide.") % {"name": _name(person)}
        )
    return redirect("programme:ambassador_list")


@require_POST
@permission_required(COMMS_WORKSPACE)
def insider_unfeature(request, user_id: int):
    person = get_object_or_404(User, pk=user_id)
    insiders.insider_unfeature(user=person)
    messages.success(request, _("%(name)s is no longer featured.") % {"name": _name(person)})
    return redirect("programme:ambassador_list")


@require_POST
@permission_required(COMMS_WORKSPACE)
def insiders_page_set(request):
    form = InsidersPageForm(request.POST)
    form.is_valid()
    enabled = form.cleaned_data.get("enabled", False)
    insiders.insiders_page_set(enabled=enabled, changed_by=request.user)
    messages.success(request, "The Insiders page is on." if enabled else "The Insiders page is off.")
    return redirect("programme:ambassador_list")


@permission_required(COMMS_WORKSPACE)
def cohort_list(request):
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = ambassadorship.cohort_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("Cohort “%(name)s” created.") % {"name": cohort.name})
            return redirect("programme:cohort_detail", cohort_id=cohort.pk)
    beta_form = BetaGroupForm()
    return render(
        request,
        "programme/cohort_list.html",
        {
            "form": form,
            "cohorts": list(ambassadorship.cohort_list()),
            "beta_groups": list(ambassadorship.beta_group_list()),
            "beta_form": beta_form,
        },
        status=400 if form.errors else 200,
    )


@permission_required(COMMS_WORKSPACE)
def cohort_detail(request, cohort_id: int):
    cohort = get_object_or_404(Cohort, pk=cohort_id)
    form = CohortAddForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        try:
            ambassadorship.cohort_add(cohort=cohort, user=form.cleaned_data["user"])
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(
                request,
                _("%(person)s added to %(cohort)s.")
                % {"person": _name(form.cleaned_data["user"]), "cohort": cohort.name},
            )
            return redirect("programme:cohort_detail", cohort_id=cohort.pk)
    return render(
        request,
        "programme/cohort_detail.html",
        {"cohort": cohort, "members": list(ambassadorship.cohort_members(cohort=cohort)), "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@permission_required(COMMS_WORKSPACE)
def cohort_remove(request, cohort_id: int, user_id: int):
    cohort = get_object_or_404(Cohort, pk=cohort_id)
    ambassadorship.cohort_remove(cohort=cohort, user=get_object_or_404(User, pk=user_id))
    messages.success(request, _("Removed from the cohort."))
    return redirect("programme:cohort_detail", cohort_id=cohort.pk)


@require_POST
@permission_required(COMMS_WORKSPACE)
def beta_group_set(request):
    form = BetaGroupForm(request.POST)
    if form.is_valid():
        group = ambassadorship.beta_group_set(created_by=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("%(campaign)s is limited to %(cohort)s until it opens to everyone.")
            % {"campaign": group.campaign.name, "cohort": group.cohort.name},
        )
    else:
        problems = [f"{form.fields[name].label or name}: {' '.join(errors)}" for name, errors in form.errors.items()]
        messages.error(request, "The beta group was not set. " + " ".join(problems))
    return redirect("programme:cohort_list")


@require_POST
@permission_required(COMMS_WORKSPACE)
def beta_group_end(request, group_id: int):
    group = get_object_or_404(BetaGroup, pk=group_id)
    ambassadorship.beta_group_end(group=group)
    messages.success(request, _("%(name)s is open to everyone.") % {"name": group.campaign.name})
    return redirect("programme:cohort_list")


# --- employees -------------------------------------------------------------------------------


@permission_required(EMPLOYEE_AREA)
def my_ambassadorship(request):
    invitation = ambassadorship.invitation_current(user=request.user)
    profile = insiders.insider_profile_for(user=request.user)
    form = None
    if profile is not None and invitation is not None and invitation.status == "accepted":
        shares = list(insiders.pickable_shares(user=request.user))
        form = InsiderProfileForm(
            shares=shares,
            initial={
                "bio": profile.bio,
                "picks": [pick.share_id for pick in profile.picks.all()],
                "consent": profile.is_consenting,
            },
        )
    return render(
        request,
        "programme/my_ambassadorship.html",
        {"invitation": invitation, "profile": profile, "form": form},
    )


@require_POST
@permission_required(EMPLOYEE_AREA)
def invitation_accept(request):
    try:
        ambassadorship.invitation_accept(user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Welcome, ambassador. You can leave at any time from this page."))
    return redirect("programme:my_ambassadorship")


@require_POST
@permission_required(EMPLOYEE_AREA)
def invitation_decline(request):
    try:
        ambassadorship.invitation_decline(user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Declined. Thank you for letting us know."))
    return redirect("programme:my_ambassadorship")


@require_POST
@permission_required(EMPLOYEE_AREA)
def ambassador_leave(request):
    ambassadorship.ambassador_leave(user=request.user)
    messages.success(request, _("You have left the ambassador programme."))
    return redirect("programme:my_ambassadorship")


@require_POST
@permission_required(EMPLOYEE_AREA)
def insider_profile_save(request):
    profile = insiders.insider_profile_for(user=request.user)
    if profile is None or not ambassadorship.is_ambassador(user=request.user):
        raise Http404("Comms have not asked you to appear on the Insiders page.")
    shares = list(insiders.pickable_shares(user=request.user))
    form = InsiderProfileForm(*posted(request), shares=shares)
    if form.is_valid():
        data = form.cleaned_data
        try:
            insiders.insider_profile_save(
                user=request.user,
                bio=data["bio"],
                share_ids=data["picks"],
                consent=data["consent"],
                photo=data["photo"],
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(
                request, "You are on the Insiders page." if data["consent"] else "Saved; you are not on the page."
            )
            return redirect("programme:my_ambassadorship")
    invitation = ambassadorship.invitation_current(user=request.user)
    return render(
        request,
        "programme/my_ambassadorship.html",
        {"invitation": invitation, "profile": profile, "form": form},
        status=400,
    )


@require_POST
@permission_required(EMPLOYEE_AREA)
def insider_withdraw(request):
    insiders.insider_consent_withdraw(user=request.user)
    messages.success(request, _("You are no longer on the Insiders page."))
    return redirect("programme:my_ambassadorship")


@permission_required(EMPLOYEE_AREA)
def preview_list(request):
    if not preview.may_give_feedback(user=request.user):
        raise PermissionDenied("The preview is for ambassadors.")
    return render(
        request, "programme/preview_list.html", {"posts": list(preview.upcoming_posts_for(user=request.user))}
    )


@permission_required(EMPLOYEE_AREA)
def preview_post(request, post_id: int):
    if not preview.may_give_feedback(user=request.user):
        raise PermissionDenied("The preview is for ambassadors.")
    post = preview.upcoming_post_get(user=request.user, post_id=post_id)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            preview.feedback_add(post=post, author=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("Thank you: comms see your feedback in the editor."))
            return redirect("programme:preview_post", post_id=post.pk)
    return render(
        request,
        "programme/preview_post.html",
        {"post": post, "feedback": list(preview.feedback_thread(post=post)), "form": form},
        status=400 if form.errors else 200,
    )


# --- public ----------------------------------------------------------------------------------


def insiders_page(request):
    """Public when comms turned it on; comms may look at it while it is off. Never cached."""
    enabled = insiders.insiders_page_enabled()
    if not enabled and not request.user.has_perm(COMMS_WORKSPACE):
        raise Http404("There is no Insiders page.")
    response = render(request, "programme/insiders.html", {"insiders": insiders.insiders_on_page(), "enabled": enabled})
    response["Cache-Control"] = "no-store"
    return response
