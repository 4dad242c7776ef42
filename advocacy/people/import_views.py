"""HR's spreadsheet import pages: upload, preview, start, progress (JSON for the script), history."""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from advocacy.forms import posted

from .access import permission_required
from .directory_forms import ImportUploadForm
from .import_files import ImportFileError
from .imports import (
    ImportRefused,
    import_discard,
    import_preview_create,
    import_resume,
    import_revalidate,
    import_start,
    missing_teams,
)
from .invitations import InvitationRefused, invitation_send
from .models import PeopleImport, PeopleImportRow
from .roles import HR_WORKSPACE

SAMPLE = Path(settings.BASE_DIR) / "docs" / "people-import-sample.csv"
ROWS_SHOWN = 200


def _import(import_id) -> PeopleImport:
    return get_object_or_404(PeopleImport.objects.select_related("uploaded_by"), pk=import_id)


@require_http_methods(["GET"])
@permission_required(HR_WORKSPACE)
def import_list(request):
    page = Paginator(PeopleImport.objects.select_related("uploaded_by"), 25).get_page(request.GET.get("page"))
    return render(request, "people/import_list.html", {"page": page, "imports": page.object_list})


@require_http_methods(["GET", "POST"])
@permission_required(HR_WORKSPACE)
def import_new(request):
    form = ImportUploadForm(*posted(request))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > settings.PEOPLE_IMPORT_MAX_MB * 1024 * 1024:
                raise ImportFileError(
                    f"The file is larger than {settings.PEOPLE_IMPORT_MAX_MB} MB; split it into smaller files."
                )
            people_import = import_preview_create(
                name=upload.name, data=upload.read(), actor=request.user, create_teams=form.cleaned_data["create_teams"]
            )
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("people:import_detail", import_id=people_import.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "people/import_new.html", {"form": form}, status=status)


@require_http_methods(["GET"])
@permission_required(HR_WORKSPACE)
def import_detail(request, import_id):
    people_import = _import(import_id)
    rows = people_import.rows.select_related("user").order_by("line")
    errors_only = people_import.error_rows and people_import.status in (
        PeopleImport.Status.PREVIEW,
        PeopleImport.Status.FAILED,
    )
    shown = rows.exclude(errors=[]) if errors_only else rows
    planned = {}
    if people_import.status == PeopleImport.Status.PREVIEW:
        for value in rows.values_list("planned", flat=True):
            planned[value] = planned.get(value, 0) + 1
    context = {
        "people_import": people_import,
        "rows": shown[:ROWS_SHOWN],
        "rows_hidden": max(0, shown.count() - ROWS_SHOWN),
        "errors_only": errors_only,
        "planned": planned,
        "missing_teams": missing_teams(people_import=people_import)
        if people_import.status == PeopleImport.Status.PREVIEW and not people_import.create_teams
        else [],
        "invitable": rows.filter(outcome=PeopleImportRow.Outcome.CREATED, user__last_login=None).count()
        if people_import.status == PeopleImport.Status.DONE
        else 0,
    }
    return render(request, "people/import_detail.html", context)


@require_http_methods(["GET"])
@permission_required(HR_WORKSPACE)
def import_status(request, import_id):
    people_import = _import(import_id)
    response = JsonResponse(
        {
            "status": people_import.status,
            "status_label": people_import.get_status_display(),
            "percent": people_import.percent,
            "processed": people_import.processed_rows,
            "total": people_import.total_rows,
            "created": people_import.created_count,
            "updated": people_import.updated_count,
            "unchanged": people_import.unchanged_count,
            "message": people_import.message,
            "finished": people_import.status
            in (PeopleImport.Status.DONE, PeopleImport.Status.FAILED, PeopleImport.Status.DISCARDED),
        }
    )
    response["Cache-Control"] = "no-store"
    return response


def _act(request, import_id, action, done_message):
    people_import = _import(import_id)
    try:
        action(people_import)
    except ImportRefused as refusal:
        messages.error(request, str(refusal))
    else:
        if done_message:
            messages.success(request, done_message)
    return redirect("people:import_detail", import_id=people_import.pk)


@require_POST
@permission_required(HR_WORKSPACE)
def import_start_view(request, import_id):
    return _act(request, import_id, lambda imp: import_start(people_import=imp, actor=request.user), "")


@require_POST
@permission_required(HR_WORKSPACE)
def import_create_teams(request, import_id):
    return _act(
        request,
        import_id,
        lambda imp: import_revalidate(people_import=imp, create_teams=True),
        _("The missing teams will be created when the import runs."),
    )


@require_POST
@permission_required(HR_WORKSPACE)
def import_discard_view(request, import_id):
    return _act(request, import_id, lambda imp: import_discard(people_import=imp), _("The import was discarded."))


@require_POST
@permission_required(HR_WORKSPACE)
def import_resume_view(request, import_id):
    return _act(request, import_id, lambda imp: import_resume(people_import=imp), _("The import was queued again."))


@require_POST
@permission_required(HR_WORKSPACE)
def import_invite(request, import_id):
    """Invite everyone this import created who has not signed in yet (and has no open link)."""
    people_import = _import(import_id)
    rows = people_import.rows.filter(outcome=PeopleImportRow.Outcome.CREATED, user__last_login=None)
    sent, skipped = 0, 0
    for row in rows.select_related("user"):
        if row.user.invitations.filter(accepted_at=None, revoked_at=None).exists():
            skipped += 1
            continue
        try:
            invitation_send(user=row.user, actor=request.user)
        except InvitationRefused:
            skipped += 1
        else:
            sent += 1
    messages.success(
        request,
        ngettext(
            "%(sent)s invitation sent; %(skipped)s skipped (already invited).",
            "%(sent)s invitations sent; %(skipped)s skipped (already invited).",
            sent,
        )
        % {"sent": sent, "skipped": skipped},
    )
    return redirect("people:import_detail", import_id=people_import.pk)


@require_http_methods(["GET"])
@permission_required(HR_WORKSPACE)
def import_sample(request):
    if not SAMPLE.exists():
        raise Http404("No sample file in this installation.")
    return FileResponse(
        SAMPLE.open("rb"), as_attachment=True, filename="people-import-sample.csv", content_type="text/csv"
    )
