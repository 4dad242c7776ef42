from django.contrib import messages
from django.shortcuts import redirect, render

from .access import permission_required
from .forms import ProfileForm
from .roles import COMMS_WORKSPACE, EMPLOYEE_AREA, HR_WORKSPACE
from .selectors import employee_list, team_list, user_roles
from .services import PROFILE_FIELDS, profile_update


@permission_required(EMPLOYEE_AREA)
def home(request):
    return render(request, "people/home.html", {"roles": user_roles(user=request.user)})


@permission_required(EMPLOYEE_AREA)
def profile(request):
    form = ProfileForm(request.POST or None, request.FILES or None, instance=request.user)
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


@permission_required(HR_WORKSPACE)
def people_list(request):
    people = employee_list().prefetch_related("groups")
    return render(request, "people/people_list.html", {"people": people})
