from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from advocacy.people.access import permission_required
from advocacy.people.roles import COMMS_WORKSPACE

from . import selectors, services
from .forms import GoalForm
from .models import Goal

GOALS_ON_PAGE = 100


@permission_required(COMMS_WORKSPACE)
def goal_list(request):
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        goal = services.goal_create(created_by=request.user, **form.cleaned_data)
        messages.success(request, f"Goal “{goal.name}” set.")
        return redirect("programme:goal_list")
    goals = list(selectors.goal_list()[:GOALS_ON_PAGE])
    status = 400 if form.errors else 200
    return render(
        request,
        "programme/goal_list.html",
        {"form": form, "goals": selectors.goals_progress(goals=goals)},
        status=status,
    )


@permission_required(COMMS_WORKSPACE)
def goal_edit(request, goal_id: int):
    goal = get_object_or_404(Goal, pk=goal_id)
    form = GoalForm(request.POST or None, instance=goal)
    if request.method == "POST" and form.is_valid():
        services.goal_update(goal=goal, **form.cleaned_data)
        messages.success(request, f"Goal “{goal.name}” saved.")
        return redirect("programme:goal_list")
    return render(request, "programme/goal_form.html", {"form": form, "goal": goal}, status=400 if form.errors else 200)


@require_POST
@permission_required(COMMS_WORKSPACE)
def goal_delete(request, goal_id: int):
    goal = get_object_or_404(Goal, pk=goal_id)
    services.goal_delete(goal=goal)
    messages.success(request, f"Goal “{goal.name}” removed.")
    return redirect("programme:goal_list")
