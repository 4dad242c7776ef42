"""Challenge pages: employees read, enter and answer consent; comms create, open, close and promote."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from advocacy.forms import form_errors_from, posted
from advocacy.people.access import permission_required
from advocacy.people.roles import COMMS_WORKSPACE, EMPLOYEE_AREA
from sharing.services import AcknowledgementRequired, ShareRefused
from sharing.visitors import set_sharer_cookie, visitor_hashes

from .forms import ChallengeForm, ConsentForm, EntryForm
from .models import Challenge
from .selectors import (
    challenge_board,
    challenge_get_for_comms,
    challenge_get_for_employee,
    challenge_is_open,
    challenge_list_for_comms,
    challenges_for_employees,
    draws_for_challenge,
    entries_for_author,
    entries_for_challenge,
    entry_get_for_author,
    entry_get_for_comms,
)
from .services import (
    challenge_close,
    challenge_create,
    challenge_open,
    entry_create,
    entry_promote,
    entry_promotion_answer,
    entry_promotion_ask,
)


@permission_required(EMPLOYEE_AREA)
def challenge_list(request):
    challenges = list(challenges_for_employees())
    for challenge in challenges:
        challenge.is_open = challenge_is_open(challenge=challenge)
    return render(request, "challenges/list.html", {"challenges": challenges})


def _detail_context(challenge: Challenge) -> dict:
    return {
        "challenge": challenge,
        "is_open": challenge_is_open(challenge=challenge),
        "board": challenge_board(challenge=challenge),
        "entries": entries_for_challenge(challenge=challenge)[:30],
        "draws": draws_for_challenge(challenge=challenge),
        "board_entry_points": settings.CHALLENGE_ENTRY_POINTS,
    }


@permission_required(EMPLOYEE_AREA)
def challenge_detail(request, slug):
    challenge = challenge_get_for_employee(slug=slug)
    context = _detail_context(challenge)
    context["form"] = EntryForm(initial={"caption": f"\n\n{challenge.hashtag}"}) if context["is_open"] else None
    return render(request, "challenges/detail.html", context)


@permission_required(EMPLOYEE_AREA)
def entry_new(request, slug):
    challenge = challenge_get_for_employee(slug=slug)
    if request.method != "POST":
        return redirect("challenges:detail", slug=slug)
    form = EntryForm(*posted(request))
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry = entry_create(
                challenge=challenge,
                author=request.user,
                caption=data["caption"],
                network=data["network"],
                image=data.get("image") or None,
                image_alt_text=data["image_alt_text"],
                video=data.get("video") or None,
                video_description=data["video_description"],
                visitor_hash=visitor_hashes(request)[0],
            )
        except AcknowledgementRequired:
            detail = reverse("challenges:detail", kwargs={"slug": slug})
            return redirect(reverse("guidelines:acknowledge") + f"?next={detail}")
        except ShareRefused as refusal:
            for problem in refusal.problems:
                form.add_error("caption" if refusal.check is not None else None, problem)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Your post is in. Share it now with its tracked link."))
            response = redirect("sharing:share_open", share_id=entry.share_id)
            set_sharer_cookie(request, response, user_id=request.user.pk)
            return response
    context = _detail_context(challenge)
    context["form"] = form
    return render(request, "challenges/detail.html", context, status=400)


@permission_required(EMPLOYEE_AREA)
def my_entries(request):
    entries = list(entries_for_author(user=request.user))
    return render(request, "challenges/my_entries.html", {"entries": entries, "consent_form": ConsentForm()})


@require_POST
@permission_required(EMPLOYEE_AREA)
def entry_consent(request, entry_id):
    entry = entry_get_for_author(user=request.user, entry_id=entry_id)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            entry_promotion_answer(entry=entry, author=request.user, consent=form.cleaned_data["consent"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Thanks, your answer is recorded."))
    else:
        messages.error(request, _("Choose yes or no."))
    return redirect("challenges:my_entries")


# --- Comms ----------------------------------------------------------------------


@permission_required(COMMS_WORKSPACE)
def manage_list(request):
    form = ChallengeForm(*posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            challenge = challenge_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(
                request, _("“%(title)s” is saved as a draft; open it when you are ready.") % {"title": challenge.title}
            )
            return redirect("challenges:manage_detail", slug=challenge.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "challenges/manage_list.html", {"challenges": challenge_list_for_comms(), "form": form}, status=status
    )


@permission_required(COMMS_WORKSPACE)
def manage_detail(request, slug):
    challenge = challenge_get_for_comms(slug=slug)
    context = _detail_context(challenge)
    context["entries"] = entries_for_challenge(challenge=challenge)
    return render(request, "challenges/manage_detail.html", context)


@require_POST
@permission_required(COMMS_WORKSPACE)
def manage_status(request, slug):
    challenge = challenge_get_for_comms(slug=slug)
    action = request.POST.get("action")
    if action == "open":
        challenge_open(challenge=challenge, actor=request.user)
        messages.success(request, _("The challenge is open for entries between its first and last day."))
    elif action == "close":
        challenge_close(challenge=challenge, actor=request.user)
        messages.success(request, _("The challenge is closed; its board and links stay."))
    else:
        messages.error(request, _("Choose open or close."))
    return redirect("challenges:manage_detail", slug=slug)


@require_POST
@permission_required(COMMS_WORKSPACE)
def manage_ask(request, slug, entry_id):
    challenge = challenge_get_for_comms(slug=slug)
    entry = entry_get_for_comms(challenge=challenge, entry_id=entry_id)
    try:
        entry_promotion_ask(entry=entry, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Asked %(name)s; they answer on their Challenges page.") % {"name": entry.author.name}
        )
    return redirect("challenges:manage_detail", slug=slug)


@require_POST
@permission_required(COMMS_WORKSPACE)
def manage_promote(request, slug, entry_id):
    challenge = challenge_get_for_comms(slug=slug)
    entry = entry_get_for_comms(challenge=challenge, entry_id=entry_id)
    try:
        post = entry_promote(entry=entry, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("challenges:manage_detail", slug=slug)
    messages.success(
        request,
        _("In the library, credited to %(name)s; schedule it when you want it live.") % {"name": entry.author.name},
    )
    return redirect("content_library:comms_post_detail", pk=post.pk)
