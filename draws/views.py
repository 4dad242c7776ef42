import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from advocacy.exports import csv_response
from advocacy.forms import posted
from advocacy.people.access import permission_required
from advocacy.people.roles import EMPLOYEE_AREA, HR_WORKSPACE

from . import engine
from .forms import DrawForm, DrawRunForm, RedrawForm, RulesForm
from .models import Draw, Winner
from .selectors import (
    deactivated_left_out,
    display_name_for,
    draw_get,
    draw_list,
    draw_record,
    draw_status,
    draw_verification,
    draws_for_employees,
    entrant_for,
    entries_so_far,
    free_entry_requested,
    prize_slots,
    rules_current,
    rules_history,
    rules_locked,
    winners_for,
)
from .services import (
    draw_close_now,
    draw_create,
    draw_freeze,
    draw_run,
    free_entry_request_create,
    rules_update,
    winner_redraw,
)


def _get_draw(pk: int) -> Draw:
    try:
        return draw_get(pk=pk)
    except Draw.DoesNotExist as error:
        raise Http404 from error


def _error(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# --- Employees --------------------------------------------------------------------------------------


@permission_required(EMPLOYEE_AREA)
def draw_list_view(request):
    draws = [(draw, draw_status(draw=draw)) for draw in draws_for_employees()]
    return render(request, "draws/draw_list.html", {"draws": draws})


@permission_required(EMPLOYEE_AREA)
def draw_detail(request, pk):
    draw = _get_draw(pk)
    winners = [w for w in winners_for(draw=draw) if w.is_current]
    context = {
        "draw": draw,
        "status": draw_status(draw=draw),
        "rules": rules_current(draw=draw),
        "entrant": entrant_for(draw=draw, user=request.user),
        "so_far": entries_so_far(draw=draw, user=request.user),
        "requested_free_entry": draw.free_entry_enabled and free_entry_requested(draw=draw, user=request.user),
        "winners": [(w, display_name_for(winner=w, viewer=request.user)) for w in winners],
    }
    return render(request, "draws/draw_detail.html", context)


@require_POST
@permission_required(EMPLOYEE_AREA)
def free_entry(request, pk):
    draw = _get_draw(pk)
    try:
        free_entry_request_create(draw=draw, user=request.user)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("Your free entry is recorded."))
    return redirect("draws:detail", pk=draw.pk)


@permission_required(EMPLOYEE_AREA)
def verify(request, pk):
    draw = _get_draw(pk)
    report = draw_verification(draw=draw) if draw.is_drawn else None
    context = {
        "draw": draw,
        "status": draw_status(draw=draw),
        "entrant": entrant_for(draw=draw, user=request.user),
        "report": report,
        "removals": [w for w in winners_for(draw=draw) if w.removal_number is not None],
        "algorithm": engine.__doc__,
    }
    return render(request, "draws/verify.html", context)


@permission_required(EMPLOYEE_AREA)
def download_list(request, pk):
    draw = _get_draw(pk)
    if not draw.is_frozen:
        raise Http404("This draw has not been frozen yet.")
    response = HttpResponse(draw.list_text.encode(), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="draw-{draw.pk}-entrants.txt"'
    return response


@permission_required(EMPLOYEE_AREA)
def download_record(request, pk):
    draw = _get_draw(pk)
    if not draw.is_frozen:
        raise Http404("This draw has not been frozen yet.")
    response = JsonResponse(draw_record(draw=draw), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="draw-{draw.pk}-record.json"'
    return response


# --- HR workspace -----------------------------------------------------------------------------------


@permission_required(HR_WORKSPACE)
def manage_list(request):
    draws = [(draw, draw_status(draw=draw)) for draw in draw_list()]
    return render(request, "draws/manage/draw_list.html", {"draws": draws})


@permission_required(HR_WORKSPACE)
def manage_create(request):
    form = DrawForm(posted(request)[0])
    if request.method == "POST" and form.is_valid():
        try:
            draw = draw_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The draw is created."))
            return redirect("draws:manage_detail", pk=draw.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "draws/manage/draw_form.html", {"form": form}, status=status)


def _manage_context(request, draw, **forms):
    status = draw_status(draw=draw)
    winners = list(winners_for(draw=draw))
    return {
        "draw": draw,
        "status": status,
        "rules": rules_current(draw=draw),
        "rules_history": rules_history(draw=draw),
        "rules_locked": rules_locked(draw=draw),
        "rules_form": forms.get("rules_form")
        or RulesForm(initial={"text": getattr(rules_current(draw=draw), "text", "")}),
        "run_form": forms.get("run_form") or DrawRunForm(),
        "redraw_form": RedrawForm(),
        "current_winners": [w for w in winners if w.is_current],
        "removed_winners": [w for w in winners if not w.is_current],
        "slot_count": len(prize_slots(draw=draw)),
        "left_out": deactivated_left_out(draw=draw),
    }


@permission_required(HR_WORKSPACE)
def manage_detail(request, pk):
    draw = _get_draw(pk)
    return render(request, "draws/manage/draw_detail.html", _manage_context(request, draw))


@require_POST
@permission_required(HR_WORKSPACE)
def manage_rules(request, pk):
    draw = _get_draw(pk)
    form = RulesForm(request.POST)
    if form.is_valid():
        try:
            rules_update(draw=draw, text=form.cleaned_data["text"], by=request.user)
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("The rules are saved as a new version."))
            return redirect("draws:manage_detail", pk=draw.pk)
    return render(request, "draws/manage/draw_detail.html", _manage_context(request, draw, rules_form=form), status=400)


@require_POST
@permission_required(HR_WORKSPACE)
def manage_freeze(request, pk):
    draw = _get_draw(pk)
    try:
        draw_freeze(draw=draw_close_now(draw=draw))
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("Entries are closed and the list is frozen; the commitment is published."))
    return redirect("draws:manage_detail", pk=draw.pk)


@require_POST
@permission_required(HR_WORKSPACE)
def manage_run(request, pk):
    draw = _get_draw(pk)
    form = DrawRunForm(request.POST)
    if form.is_valid():
        try:
            draw_run(
                draw=draw,
                by=request.user,
                public_value=form.cleaned_data["public_value"],
                confirm_no_entrants=form.cleaned_data["confirm_no_entrants"],
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                _error(request, error)
                return redirect("draws:manage_detail", pk=draw.pk)
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The winners are drawn and the seed is revealed."))
            return redirect("draws:manage_detail", pk=draw.pk)
    return render(request, "draws/manage/draw_detail.html", _manage_context(request, draw, run_form=form), status=400)


@require_POST
@permission_required(HR_WORKSPACE)
def manage_redraw(request, pk, winner_pk):
    draw = _get_draw(pk)
    winner = get_object_or_404(Winner, pk=winner_pk, draw=draw)
    form = RedrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why the winner is replaced and give a reason."))
        return redirect("draws:manage_detail", pk=draw.pk)
    try:
        new = winner_redraw(winner=winner, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(
            request, _("Redrawn: the prize goes to the next in order.") if new else _("Nobody is left in the order.")
        )
    return redirect("draws:manage_detail", pk=draw.pk)


@permission_required(HR_WORKSPACE)
def manage_export(request, pk):
    draw = _get_draw(pk)
    return csv_response(_export_rows(draw), filename=f"draw-{draw.pk}.csv")


def _export_rows(draw):
    record = draw_record(draw=draw)
    for key in ("draw_id", "name", "frozen_at", "list_sha256", "seed_sha256", "drawn_at", "seed", "mix"):
        yield ["#", key, record[key] or ""]
    yield ["#", "public_randomness", json.dumps([draw.public_randomness_source, record["public_randomness_value"]])]
    yield ["slot", "prize", "position", "entrant_id", "name", "email", "status", "reason", "removed_at"]
    for winner in winners_for(draw=draw):
        user = winner.entrant.user
        yield [
            winner.slot + 1,
            winner.prize.description,
            winner.position + 1,
            winner.entrant.entrant_id,
            user.name,
            user.email,
            winner.get_status_display(),
            winner.removal_reason,
            winner.removed_at.isoformat() if winner.removed_at else "",
        ]
