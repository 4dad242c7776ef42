"""HR's people directory: search and filters, a person's page, roles, (de)activation, the audit log."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from advocacy.forms import posted

from .access import permission_required
from .audit import audit_for_person, audit_recent
from .directory_forms import DirectoryFilterForm, ReasonForm, RolesForm
from .invitations import invitation_state
from .models import Invitation, PeopleImport
from .roles import HR_WORKSPACE, Role
from .selectors import directory_search, person_for_directory
from .services import user_deactivate, user_reactivate, user_set_roles

PAGE_SIZE = 50


@permission_required(HR_WORKSPACE)
def people_list(request):
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    people = directory_search(
        query=filters.get("q") or "",
        team=filters.get("team"),
        role=filters.get("role") or "",
        status=filters.get("status") or "active",
    )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "people": page.object_list,
        "query": query.urlencode(),
        "filtered": any(filters.get(name) for name in ("q", "team", "role"))
        or filters.get("status") not in (None, "", "active"),
        "recent_imports": PeopleImport.objects.select_related("uploaded_by")[:3],
    }
    return render(request, "people/directory.html", context)


def _invitations_of(person):
    invitations = list(Invitation.objects.filter(user=person).select_related("created_by")[:10])
    for invitation in invitations:
        invitation.user = person
        invitation.state = invitation_state(invitation=invitation)
    return invitations


@require_http_methods(["GET", "POST"])
@permission_required(HR_WORKSPACE)
def person_detail(request, user_id):
    person = person_for_directory(user_id=user_id)
    held = sorted(group.name for group in person.groups.all())
    form = RolesForm(*posted(request), initial={"roles": held})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            wanted = form.cleaned_data["roles"]
            if person.pk == request.user.pk and Role.HR.value in held and Role.HR.value not in wanted:
                form.add_error("roles", _("You cannot take the HR role away from yourself; ask another HR person."))
            else:
                changed = user_set_roles(
                    user=person,
                    roles=[Role(name) for name in wanted],
                    actor=request.user,
                    source="hr",
                    reason=form.cleaned_data["reason"],
                )
                messages.success(
                    request, _("Roles saved.") if changed else _("Nothing changed: those were the roles already.")
                )
                return redirect("people:person_detail", user_id=person.pk)
        status = 400
    context = {
        "person": person,
        "roles_form": form,
        "invitations": _invitations_of(person),
        "entries": audit_for_person(person=person)[:50],
    }
    return render(request, "people/person_detail.html", context, status=status)


def _confirm(request, user_id, *, deactivating: bool):
    person = person_for_directory(user_id=user_id)
    form = ReasonForm(*posted(request))
    error = ""
    if request.method == "POST" and form.is_valid():
        if deactivating and person.pk == request.user.pk:
            error = "You cannot deactivate your own account; ask another HR person."
        elif deactivating:
            user_deactivate(user=person, actor=request.user, source="hr", reason=form.cleaned_data["reason"])
            messages.success(
                request,
                _("%(name)s is deactivated: signed out everywhere and unable to sign in.") % {"name": person.name},
            )
            return redirect("people:person_detail", user_id=person.pk)
        else:
            user_reactivate(user=person, actor=request.user, source="hr", reason=form.cleaned_data["reason"])
            messages.success(request, _("%(name)s can sign in again.") % {"name": person.name})
            return redirect("people:person_detail", user_id=person.pk)
    context = {"person": person, "form": form, "error": error, "deactivating": deactivating}
    return render(request, "people/person_confirm.html", context, status=400 if error or form.errors else 200)


@require_http_methods(["GET", "POST"])
@permission_required(HR_WORKSPACE)
def person_deactivate(request, user_id):
    return _confirm(request, user_id, deactivating=True)


@require_http_methods(["GET", "POST"])
@permission_required(HR_WORKSPACE)
def person_reactivate(request, user_id):
    return _confirm(request, user_id, deactivating=False)


@require_http_methods(["GET"])
@permission_required(HR_WORKSPACE)
def audit_list(request):
    page = Paginator(audit_recent(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "people/audit_list.html", {"page": page, "entries": page.object_list})
