from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from advocacy.forms import form_errors_from
from advocacy.people.access import permission_required
from advocacy.people.roles import COMMS_WORKSPACE, EMPLOYEE_AREA, HR_WORKSPACE
from advocacy.people.selectors import active_employees

from . import pulse, selectors, services
from . import reach as reach_selectors
from .forms import GoalForm, PulseSurveyForm, ReachCalculatorForm, StatedAudienceForm, pulse_answer_form
from .models import Goal, PulseSurvey, StatedAudience

GOALS_ON_PAGE = 100


@permission_required(COMMS_WORKSPACE)
def goal_list(request):
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        goal = services.goal_create(created_by=request.user, **form.cleaned_data)
        messages.success(request, _("Goal “%(name)s” set.") % {"name": goal.name})
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
        messages.success(request, _("Goal “%(name)s” saved.") % {"name": goal.name})
        return redirect("programme:goal_list")
    return render(request, "programme/goal_form.html", {"form": form, "goal": goal}, status=400 if form.errors else 200)


@require_POST
@permission_required(COMMS_WORKSPACE)
def goal_delete(request, goal_id: int):
    goal = get_object_or_404(Goal, pk=goal_id)
    services.goal_delete(goal=goal)
    messages.success(request, _("Goal “%(name)s” removed.") % {"name": goal.name})
    return redirect("programme:goal_list")


@permission_required(COMMS_WORKSPACE)
def reach(request):
    summary = reach_selectors.reach_summary()
    defaults = {
        "employees": active_employees().count(),
        "participation_percent": 20,
        "posts_per_month": 4,
        "audience_per_share": summary.per_share or 0,
    }
    form = ReachCalculatorForm(request.GET if request.GET else None, initial=defaults)
    estimate = None
    if form.is_bound and form.is_valid():
        estimate = reach_selectors.reach_estimate(**form.cleaned_data)
    elif not form.is_bound:
        estimate = reach_selectors.reach_estimate(**defaults)
    return render(
        request,
        "programme/reach.html",
        {
            "form": form,
            "estimate": estimate,
            "reach": summary,
            "campaigns": reach_selectors.reach_by_campaign(),
        },
        status=400 if form.errors else 200,
    )


@permission_required(EMPLOYEE_AREA)
def my_audience(request):
    stated = StatedAudience.objects.filter(user=request.user).first()
    initial = {"linkedin_connections": stated.linkedin_connections} if stated else {}
    form = StatedAudienceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.stated_audience_set(user=request.user, linkedin_connections=form.cleaned_data["linkedin_connections"])
        messages.success(request, "Saved." if form.cleaned_data["linkedin_connections"] is not None else "Withdrawn.")
        return redirect("programme:my_audience")
    return render(
        request, "programme/my_audience.html", {"form": form, "stated": stated}, status=400 if form.errors else 200
    )


@permission_required(COMMS_WORKSPACE, HR_WORKSPACE)
def pulse_manage(request):
    form = PulseSurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = pulse.pulse_create(
                title=data["title"],
                period=data["period"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                questions=data["questions"].splitlines(),
                created_by=request.user,
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("Pulse “%(title)s” created.") % {"title": survey.title})
            return redirect("programme:pulse_results", survey_id=survey.pk)
    return render(
        request,
        "programme/pulse_manage.html",
        {"form": form, "trend": pulse.pulse_trend(), "min_group_size": pulse.MIN_GROUP_SIZE},
        status=400 if form.errors else 200,
    )


@permission_required(COMMS_WORKSPACE, HR_WORKSPACE)
def pulse_results(request, survey_id: int):
    survey = get_object_or_404(PulseSurvey, pk=survey_id)
    return render(request, "programme/pulse_results.html", {"results": pulse.pulse_results(survey=survey)})


@permission_required(EMPLOYEE_AREA)
def pulse_take(request):
    survey = pulse.pulse_open_for(user=request.user)
    if survey is None:
        return render(request, "programme/pulse_take.html", {"survey": None})
    form = pulse_answer_form(survey)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        scores = {question.pk: form.cleaned_data[f"q{question.pk}"] for question in survey.questions.all()}
        try:
            pulse.pulse_answer(survey=survey, user=request.user, scores=scores, comment=form.cleaned_data["comment"])
        except pulse.AlreadyAnswered:
            messages.info(request, _("You have already answered this pulse."))
        except ValidationError as error:
            form.add_error(None, error)
            return render(request, "programme/pulse_take.html", {"survey": survey, "form": form}, status=400)
        else:
            messages.success(request, _("Thank you. Your answers were stored without your name."))
        return redirect("programme:pulse_take")
    return render(
        request, "programme/pulse_take.html", {"survey": survey, "form": form}, status=400 if form.errors else 200
    )
