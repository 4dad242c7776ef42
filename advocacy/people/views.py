from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.decorators.http import require_http_methods

from advocacy.forms import posted
from advocacy.homes import HOME_PANELS, HOME_TITLES

from .access import permission_required
from .forms import ProfileForm
from .models import User
from .roles import COMMS_WORKSPACE, EMPLOYEE_AREA, HR_WORKSPACE
from .selectors import person_data_export, team_list, user_roles
from .services import PROFILE_FIELDS, ErasureRefused, person_erase, profile_update


@permission_required(EMPLOYEE_AREA)
def home(request):
    """Each of the person's workspaces as a section of panels (advocacy.homes), read through the apps' selectors."""
    now = timezone.now()
    sections: dict[str, list[dict]] = {}
    for panel in HOME_PANELS:
        if request.user.has_perm(panel.permission):
            data = import_string(panel.selector)(user=request.user, now=now)
            sections.setdefault(panel.section, []).append({"template": panel.template, **data})
    context = {
        "roles": user_roles(user=request.user),
        "home_sections": [
            {"key": key, "title": HOME_TITLES[key], "panels": panels} for key, panels in sections.items()
        ],
    }
    return render(request, "people/home.html", context)


@permission_required(EMPLOYEE_AREA)
def profile(request):
    form = ProfileForm(*posted(request), instance=request.user)
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in PROFILE_FIELDS if field in form.changed_data}
        if changes.get("avatar") is False:
            changes["avatar"] = None
        profile_update(user=request.user, **changes)
        messages.success(request, "Your profile is saved.")
        return redirect("people:profile")
    status = 400 if request.method == "POST" else 200
    return render(request, "people/profile.html", {"form": form}, status=status)


@permission_required(COMMS_WORKSPACE, HR_WORKSPACE)
def team_list_view(request):
    return render(request, "people/team_list.html", {"teams": team_list()})


@require_http_methods(["GET"])
@permission_required(EMPLOYEE_AREA)
def my_data(request):
    response = JsonResponse(person_data_export(user=request.user), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="my-advocacy-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@permission_required(HR_WORKSPACE)
def person_erase_view(request, user_id):
    person = get_object_or_404(User, pk=user_id)
    error = ""
    if request.method == "POST":
        # Typing the username is the confirmation: a stray click cannot erase anyone.
        if request.POST.get("confirm_username", "").strip() != person.username:
            error = f"Type {person.username} to confirm."
        else:
            try:
                person_erase(user=person, actor=request.user)
            except ErasureRefused as exc:
                error = str(exc)
            else:
                messages.success(request, "The person is erased and will drop off the leaderboards shortly.")
                return redirect("people:people_list")
    status = 400 if error else 200
    return render(request, "people/person_erase.html", {"person": person, "error": error}, status=status)
