from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from advocacy.forms import form_errors_from, posted
from advocacy.networks import Network
from advocacy.people.access import permission_required
from advocacy.people.models import Team
from advocacy.people.roles import COMMS_WORKSPACE, EMPLOYEE_AREA, HR_WORKSPACE
from content_library.selectors import post_caption_for, post_get_for_employee

from .forms import (
    BannedTermForm,
    CaptionTryForm,
    ContactCardForm,
    DisclosureForm,
    DocumentCreateForm,
    DocumentDetailsForm,
    ImageUploadForm,
    VersionForm,
)
from .models import BannedTerm, GuidelineDocument, GuidelineVersion
from .registry import major_version_impact
from .rendering import headings_of, render_markdown
from .selectors import (
    acknowledgement_last,
    acknowledgement_rates_by_team,
    acknowledgement_required,
    banned_terms_all,
    guideline_document_get,
    guideline_documents_for_comms,
    guideline_images,
    guideline_search,
    guideline_version_diff,
    guideline_version_get,
    guideline_version_history,
    guideline_versions_current,
    policy_version_current,
    policy_versions_between,
    portal_settings_get,
)
from .services import (
    acknowledgement_record,
    acknowledgement_reminders_request,
    banned_term_create,
    banned_term_delete,
    banned_term_update,
    caption_check,
    guideline_document_create,
    guideline_document_update,
    guideline_image_upload,
    guideline_version_create,
    portal_settings_update,
)


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


# --- Employees -------------------------------------------------------------------


@permission_required(EMPLOYEE_AREA)
def portal(request):
    versions = list(guideline_versions_current())
    query = request.GET.get("q", "").strip()[:200]
    sections = [{"version": version, "headings": headings_of(version.body_html)} for version in versions]
    context = {
        "sections": sections,
        "query": query,
        "hits": guideline_search(query=query, versions=versions) if query else None,
        "lead": portal_settings_get(),
        "needs_acknowledgement": acknowledgement_required(user=request.user),
    }
    return render(request, "guidelines/portal.html", context)


@permission_required(EMPLOYEE_AREA)
def history(request, slug):
    document = guideline_document_get(slug=slug)
    versions = list(guideline_version_history(document=document))
    if not versions:
        raise Http404("This guideline has no published version yet.")
    return render(request, "guidelines/history.html", {"document": document, "versions": versions})


@permission_required(EMPLOYEE_AREA)
def version_detail(request, slug, number):
    document = guideline_document_get(slug=slug)
    version = guideline_version_get(document=document, number=number)
    newest = guideline_version_history(document=document).first()
    context = {"document": document, "version": version, "is_current": newest and newest.pk == version.pk}
    return render(request, "guidelines/version_detail.html", context)


@permission_required(EMPLOYEE_AREA)
def diff(request, slug):
    document = guideline_document_get(slug=slug)
    versions = list(guideline_version_history(document=document))
    if len(versions) < 2:
        raise Http404("There is only one version: nothing to compare.")
    by_number = {version.number: version for version in versions}
    new_raw, old_raw = request.GET.get("to") or str(versions[0].number), request.GET.get("from") or ""
    new_number = int(new_raw) if new_raw.isdigit() else None
    old_number = int(old_raw) if old_raw.isdigit() else (new_number - 1 if new_number and not old_raw else None)
    error = ""
    if old_number not in by_number or new_number not in by_number or old_number == new_number:
        error = "Pick two different versions that exist; showing the latest change instead."
        new_number, old_number = versions[0].number, versions[1].number
    old, new = by_number[old_number], by_number[new_number]
    if old.number > new.number:
        old, new = new, old
    context = {
        "document": document,
        "versions": versions,
        "old": old,
        "new": new,
        "lines": guideline_version_diff(old=old, new=new),
        "error": error,
    }
    return render(request, "guidelines/diff.html", context, status=400 if error else 200)


@permission_required(EMPLOYEE_AREA)
def acknowledge(request):
    """GET shows the policy (and what changed since the version last acknowledged); POST acknowledges it."""
    current = policy_version_current()
    next_url = _safe_next(request)
    if request.method == "POST":
        version = (
            GuidelineVersion.objects.select_related("document")
            .filter(
                pk=request.POST.get("version") if str(request.POST.get("version", "")).isdigit() else None,
                document__kind=GuidelineDocument.Kind.POLICY,
            )
            .first()
        )
        again = reverse("guidelines:acknowledge") + (f"?{urlencode({'next': next_url})}" if next_url else "")
        if version is None:
            messages.error(request, _("That policy version does not exist any more; please read the current one."))
            return redirect(again)
        acknowledgement_record(user=request.user, version=version)
        if acknowledgement_required(user=request.user):
            # A newer major version was published while they were reading.
            messages.warning(request, _("The policy changed while you were reading; please read the new version."))
            return redirect(again)
        messages.success(
            request,
            _("Thank you: you acknowledged the %(title)s (version %(number)s).")
            % {"title": version.document.title, "number": version.number},
        )
        return redirect(next_url or reverse("guidelines:portal"))
    last = acknowledgement_last(user=request.user)
    changes, lines = [], []
    if current and last and last.version.number < current.number:
        changes = list(policy_versions_between(old=last.version, new=current))
        lines = guideline_version_diff(old=last.version, new=current)
    context = {
        "version": current,
        "last": last,
        "required": acknowledgement_required(user=request.user),
        "already_acknowledged_current": bool(current and last and last.version_id == current.pk),
        "changes": changes,
        "lines": lines,
        "next": next_url,
        "headings": headings_of(current.body_html) if current else [],
    }
    return render(request, "guidelines/acknowledge.html", context)


@permission_required(EMPLOYEE_AREA)
def try_caption(request, slug):
    """Write a caption for a post and see what the guidelines say (works without JavaScript too)."""
    post = post_get_for_employee(user=request.user, slug=slug)
    form = CaptionTryForm(posted(request)[0], initial={"network": Network.LINKEDIN})
    check = None
    if request.method == "POST" and form.is_valid():
        check = caption_check(post=post, network=form.cleaned_data["network"], caption=form.cleaned_data["caption"])
        caption, network = form.cleaned_data["caption"], form.cleaned_data["network"]
    else:
        network = Network.LINKEDIN.value
        caption = request.POST.get("caption", "") if request.method == "POST" else ""
        caption = caption or post_caption_for(post=post, network=network)
    context = {
        "post": post,
        "form": form,
        "caption": caption,
        "network": network,
        "networks": [{"value": n.value, "label": n.label, "checked": n.value == network} for n in Network],
        "check": check,
    }
    return render(request, "guidelines/try_caption.html", context, status=400 if form.errors else 200)


# --- Comms: documents --------------------------------------------------------------


@permission_required(COMMS_WORKSPACE)
def manage(request):
    context = {"documents": guideline_documents_for_comms(), "lead": portal_settings_get()}
    return render(request, "guidelines/manage/index.html", context)


@permission_required(COMMS_WORKSPACE)
def document_create(request):
    form = DocumentCreateForm(posted(request)[0])
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = render_markdown(form.cleaned_data["body"])
        else:
            try:
                document = guideline_document_create(created_by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("“%(title)s” is published as version 1.") % {"title": document.title})
                return redirect("guidelines:document_edit", pk=document.pk)
    status = 400 if form.errors else 200
    return render(request, "guidelines/manage/document_create.html", {"form": form, "preview": preview}, status=status)


@permission_required(COMMS_WORKSPACE)
def document_edit(request, pk):
    document = get_object_or_404(GuidelineDocument, pk=pk)
    versions = list(guideline_version_history(document=document))
    current = versions[0] if versions else None
    details = DocumentDetailsForm(
        request.POST if request.POST.get("action") == "details" else None,
        initial={"title": document.title, "summary": document.summary, "position": document.position},
    )
    version_form = VersionForm(
        request.POST if request.POST.get("action") in ("publish", "preview") else None,
        initial={"body": current.body if current else ""},
    )
    if request.POST.get("action") == "preview":
        # A preview shows the text; the change summary is asked for only when publishing.
        version_form.fields["change_summary"].required = False
    preview = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "details" and details.is_valid():
                guideline_document_update(document=document, **details.cleaned_data)
                messages.success(request, _("Details saved."))
                return redirect("guidelines:document_edit", pk=document.pk)
            if action == "preview" and version_form.is_valid():
                preview = render_markdown(version_form.cleaned_data["body"])
            elif action == "publish" and version_form.is_valid():
                version = guideline_version_create(
                    document=document, created_by=request.user, **version_form.cleaned_data
                )
                messages.success(request, _("Version %(number)s is published.") % {"number": version.number})
                return redirect("guidelines:document_edit", pk=document.pk)
        except ValidationError as exc:
            form_errors_from(details if action == "details" else version_form, exc)
    context = {
        "document": document,
        "versions": versions,
        "details": details,
        "version_form": version_form,
        "preview": preview,
        "draw_impact": major_version_impact() if document.kind == GuidelineDocument.Kind.POLICY else [],
    }
    context["draw_impact_total"] = sum(count for _name, count in context["draw_impact"])
    status = 400 if details.errors or version_form.errors else 200
    return render(request, "guidelines/manage/document_edit.html", context, status=status)


@require_POST
@permission_required(COMMS_WORKSPACE)
def markdown_preview(request):
    """The Markdown editor's live preview: the body rendered exactly as publishing would (sanitised)."""
    body = request.POST.get("body", "")
    if len(body) > VersionForm.base_fields["body"].max_length:
        return JsonResponse({"error": "The text is longer than a guideline may be."}, status=400)
    return JsonResponse({"html": render_markdown(body)})


@permission_required(COMMS_WORKSPACE)
def images(request):
    form = ImageUploadForm(*posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            image = guideline_image_upload(
                upload=form.cleaned_data["image"], alt_text=form.cleaned_data["alt_text"], uploaded_by=request.user
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(
                request,
                _("Uploaded. Paste ![%(alt_text)s](%(url)s) into a guideline.")
                % {"alt_text": image.alt_text, "url": image.image.url},
            )
            return redirect("guidelines:images")
    status = 400 if form.errors else 200
    return render(request, "guidelines/manage/images.html", {"form": form, "images": guideline_images()}, status=status)


# --- Comms: caption rules and portal settings ----------------------------------------


@permission_required(COMMS_WORKSPACE)
def rules(request):
    portal = portal_settings_get()
    action = request.POST.get("action")
    term_form = BannedTermForm(request.POST if action == "add_term" else None, initial={"is_active": True})
    disclosure_form = DisclosureForm(
        request.POST if action == "disclosures" else None,
        initial={"disclosure": portal.disclosure, "reward_draw_disclosure": portal.reward_draw_disclosure},
    )
    if request.method == "POST":
        try:
            if action == "add_term" and term_form.is_valid():
                data = term_form.cleaned_data
                banned_term_create(term=data["term"], reason=data["reason"], created_by=request.user)
                messages.success(request, _("“%(term)s” is now flagged in captions.") % {"term": data["term"]})
                return redirect("guidelines:rules")
            if action == "disclosures" and disclosure_form.is_valid():
                portal_settings_update(**disclosure_form.cleaned_data)
                messages.success(request, _("Disclosures saved."))
                return redirect("guidelines:rules")
        except ValidationError as exc:
            form_errors_from(term_form if action == "add_term" else disclosure_form, exc)
    context = {"terms": banned_terms_all(), "term_form": term_form, "disclosure_form": disclosure_form}
    status = 400 if term_form.errors or disclosure_form.errors else 200
    return render(request, "guidelines/manage/rules.html", context, status=status)


@permission_required(COMMS_WORKSPACE)
def banned_term_edit(request, pk):
    banned = get_object_or_404(BannedTerm, pk=pk)
    if request.method == "POST" and request.POST.get("action") == "delete":
        banned_term_delete(banned_term=banned)
        messages.success(request, _("“%(term)s” is no longer on the list.") % {"term": banned.term})
        return redirect("guidelines:rules")
    form = BannedTermForm(
        posted(request)[0], initial={"term": banned.term, "reason": banned.reason, "is_active": banned.is_active}
    )
    if request.method == "POST" and form.is_valid():
        try:
            banned_term_update(banned_term=banned, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("guidelines:rules")
    status = 400 if form.errors else 200
    return render(request, "guidelines/manage/banned_term_edit.html", {"form": form, "term": banned}, status=status)


@permission_required(COMMS_WORKSPACE)
def contact_card(request):
    portal = portal_settings_get()
    form = ContactCardForm(
        posted(request)[0], initial={name: getattr(portal, name) for name in ContactCardForm.base_fields}
    )
    if request.method == "POST" and form.is_valid():
        try:
            portal_settings_update(**form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The contact card is saved."))
            return redirect("guidelines:contact_card")
    status = 400 if form.errors else 200
    return render(request, "guidelines/manage/contact_card.html", {"form": form, "lead": portal}, status=status)


# --- Comms and HR: acknowledgement rates ---------------------------------------------


@permission_required(COMMS_WORKSPACE, HR_WORKSPACE)
def acknowledgement_rates(request):
    return render(request, "guidelines/acknowledgement_rates.html", acknowledgement_rates_by_team())


@require_POST
@permission_required(COMMS_WORKSPACE, HR_WORKSPACE)
def send_reminders(request):
    team = None
    team_id = request.POST.get("team", "")
    if team_id:
        team = Team.objects.filter(pk=team_id).first() if team_id.isdigit() else None
        if team is None:
            messages.error(request, _("That team does not exist."))
            return redirect("guidelines:acknowledgement_rates")
    batch = acknowledgement_reminders_request(requested_by=request.user, team=team)
    if team:
        parts = [
            ngettext(
                "%(count)s reminder on the way in %(team)s.",
                "%(count)s reminders on the way in %(team)s.",
                batch.queued,
            )
            % {"count": batch.queued, "team": team.name}
        ]
    else:
        parts = [
            ngettext("%(count)s reminder on the way.", "%(count)s reminders on the way.", batch.queued)
            % {"count": batch.queued}
        ]
    if batch.skipped_recently_reminded:
        parts.append(_("%(count)s already reminded recently.") % {"count": batch.skipped_recently_reminded})
    if batch.skipped_without_email:
        parts.append(_("%(count)s without an email address.") % {"count": batch.skipped_without_email})
    messages.success(request, " ".join(parts))
    return redirect("guidelines:acknowledgement_rates")
