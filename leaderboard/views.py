from datetime import timedelta
from itertools import chain

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from advocacy.exports import csv_response
from advocacy.forms import posted
from advocacy.people.access import permission_required
from advocacy.people.deactivations import deactivation_notes
from advocacy.people.models import User
from advocacy.people.roles import COMMS_WORKSPACE, EMPLOYEE_AREA, HR_WORKSPACE
from sharing.selectors import published_posts_for_review

from .charts import CHART_DAYS, daily_points_chart
from .forms import AdjustForm, RecomputeForm, RulesForm, VoidForm
from .models import PointEvent, Recompute, Standing
from .periods import local_date
from .selectors import (
    BoardNotFound,
    anomalies_for_users,
    badge_next,
    badges_for,
    board_resolve,
    board_rows_for_export,
    board_rows_for_review,
    board_scopes,
    board_view,
    points_days_for,
    points_events_for,
    points_events_on_days,
    points_rules_history,
    points_rules_in_force,
    points_total_for,
)
from .services import points_adjust, points_event_void, points_recompute, points_rules_update

EVENTS_PER_PAGE = 100
DAYS_PER_PAGE = 14
REVIEW_PER_PAGE = 50


def _board_from(request):
    """The board the query string names, or (None, message) for nonsense values."""
    try:
        board = board_resolve(
            period=request.GET.get("period", ""),
            scope=request.GET.get("scope", ""),
            previous=request.GET.get("previous") == "1",
        )
    except BoardNotFound as exc:
        return None, str(exc)
    return board, ""


def _filters(request, board):
    return {
        "board": board,
        "scopes": board_scopes(),
        "periods": Standing.Period.choices,
        "previous": request.GET.get("previous") == "1",
    }


@permission_required(EMPLOYEE_AREA)
def board(request):
    board, error = _board_from(request)
    if board is None:
        return render(request, "leaderboard/board.html", {"error": error, "scopes": board_scopes()}, status=400)
    context = _filters(request, board) | board_view(board=board, viewer=request.user, view=request.GET.get("view", ""))
    return render(request, "leaderboard/board.html", context)


@permission_required(EMPLOYEE_AREA)
def my_points(request):
    """The ledger grouped by day (a page of days, each with its total and events) under a 30-day chart."""
    days = Paginator(points_days_for(user=request.user), DAYS_PER_PAGE).get_page(request.GET.get("page"))
    events = points_events_on_days(user=request.user, days=[day for day, _total, _count in days])
    today = local_date(timezone.now())
    recent = {
        day: total
        for day, total, _count in points_days_for(user=request.user, since=today - timedelta(days=CHART_DAYS - 1))
    }
    return render(
        request,
        "leaderboard/my_points.html",
        {
            "days": days,
            "day_groups": [(day, total, events[day]) for day, total, _count in days],
            "chart": daily_points_chart(recent, today=today),
            "total": points_total_for(user=request.user),
            "badges": badges_for(user=request.user),
            "rules": points_rules_in_force(),
        },
    )


@permission_required(EMPLOYEE_AREA)
def badges(request):
    earned = badges_for(user=request.user)
    context = {
        "earned": [badge for badge in earned if badge.earned],
        "waiting": sorted((b for b in earned if not b.earned), key=lambda b: -b.current / b.target),
        "next_badge": badge_next(earned),
    }
    return render(request, "leaderboard/badges.html", context)


def _csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    return csv_response(chain([header], rows), filename=filename)


EVENT_HEADER = [
    "occurred_at",
    "kind",
    "points",
    "quantity",
    "description",
    "cause_key",
    "rules_version",
    "voided",
    "reason",
    "by",
    "recorded_at",
]


def _event_rows(user):
    for event in points_events_for(user=user).iterator(chunk_size=2000):
        yield [
            event.occurred_at.isoformat(),
            event.kind,
            event.points,
            event.quantity,
            event.description,
            event.cause_key,
            event.rules.version if event.rules else "",
            "yes" if event.is_voided else "",
            event.reason,
            event.actor.username if event.actor else "",
            event.created_at.isoformat(),
        ]


@permission_required(EMPLOYEE_AREA)
def my_points_csv(request):
    return _csv_response(f"points-{request.user.username}.csv", EVENT_HEADER, _event_rows(request.user))


@permission_required(COMMS_WORKSPACE, HR_WORKSPACE)
def rules(request):
    current = points_rules_in_force()
    form = RulesForm(
        posted(request)[0],
        instance=None,
        initial={f: getattr(current, f) for f in RulesForm._meta.fields if f != "note"},
    )
    if request.method == "POST" and form.is_valid():
        values = {field: form.cleaned_data[field] for field in form.Meta.fields if field != "note"}
        try:
            new = points_rules_update(actor=request.user, note=form.cleaned_data["note"], **values)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                gettext("Points rules v%(version)s apply from now on; past points keep their values.")
                % {"version": new.version},
            )
            return redirect("leaderboard:rules")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "current": current, "history": points_rules_history()[:20]}
    return render(request, "leaderboard/rules.html", context, status=status)


# --- HR review --------------------------------------------------------------------------------


@permission_required(HR_WORKSPACE)
def review(request):
    board, error = _board_from(request)
    if board is None:
        return render(request, "leaderboard/review.html", {"error": error, "scopes": board_scopes()}, status=400)
    page = Paginator(board_rows_for_review(board=board), REVIEW_PER_PAGE).get_page(request.GET.get("page"))
    flags = anomalies_for_users(user_ids=[standing.user_id for standing in page], board=board)
    notes = deactivation_notes(user_ids=[standing.user_id for standing in page if not standing.user.is_active])
    rows = [
        {"standing": standing, "flags": flags.get(standing.user_id, []), "left": notes.get(standing.user_id, "")}
        for standing in page
    ]
    context = _filters(request, board) | {
        "rows": rows,
        "page_obj": page,
        "published_posts": published_posts_for_review(),
    }
    return render(request, "leaderboard/review.html", context)


@permission_required(HR_WORKSPACE)
def board_csv(request):
    board, error = _board_from(request)
    if board is None:
        return render(request, "leaderboard/review.html", {"error": error, "scopes": board_scopes()}, status=400)

    def rows():
        rank = 0
        for standing in board_rows_for_export(board=board):
            if not standing.unranked:
                rank += 1
            user = standing.user
            yield [
                "" if standing.unranked else rank,
                user.username,
                user.name,
                user.team.name if user.team else "",
                standing.points,
                standing.events,
                standing.reached_at.isoformat(),
                "yes" if user.hide_from_leaderboards else "",
                "yes" if standing.unranked else "",
            ]

    header = ["rank", "username", "name", "team", "points", "events", "reached_at", "hidden", "unranked"]
    slug = f"{board.period}-{board.start.isoformat()}-{board.scope}{board.scope_id or ''}"
    return _csv_response(f"leaderboard-{slug}.csv", header, rows())


def _person(user_id):
    return get_object_or_404(User.objects.select_related("team"), pk=user_id)


def _person_context(request, person, *, adjust_form=None) -> dict:
    board, _ = _board_from(request)
    board = board or board_resolve()
    return {
        "person": person,
        "board": board,
        "events": Paginator(points_events_for(user=person), EVENTS_PER_PAGE).get_page(request.GET.get("page")),
        "total": points_total_for(user=person),
        "badges": badges_for(user=person),
        "flags": anomalies_for_users(user_ids=[person.pk], board=board)[person.pk],
        "published_posts": published_posts_for_review(user_ids=[person.pk]),
        "adjust_form": adjust_form or AdjustForm(),
        "void_form": VoidForm(),
        "left": "" if person.is_active else deactivation_notes(user_ids=[person.pk]).get(person.pk, "deactivated"),
    }


@permission_required(HR_WORKSPACE)
def review_person(request, user_id):
    person = _person(user_id)
    return render(request, "leaderboard/review_person.html", _person_context(request, person))


@permission_required(HR_WORKSPACE)
def person_csv(request, user_id):
    person = _person(user_id)
    return _csv_response(f"points-{person.username}.csv", EVENT_HEADER, _event_rows(person))


@require_POST
@permission_required(HR_WORKSPACE)
def void(request, event_id):
    event = get_object_or_404(PointEvent, pk=event_id)
    form = VoidForm(request.POST)
    back = reverse("leaderboard:review_person", kwargs={"user_id": event.user_id})
    if not form.is_valid():
        messages.error(request, gettext("Give a reason to void an event; nothing was changed."))
        return redirect(back)
    try:
        points_event_void(event=event, actor=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(
        request,
        gettext("Voided “%(description)s”. The boards follow within a minute.") % {"description": event.description},
    )
    return redirect(back)


@require_POST
@permission_required(HR_WORKSPACE)
def adjust(request, user_id):
    person = _person(user_id)
    form = AdjustForm(request.POST)
    if form.is_valid():
        try:
            points_adjust(
                user=person,
                points=form.cleaned_data["points"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
                idempotency_key=f"{request.user.pk}:{form.cleaned_data['token']}",
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                gettext("Adjusted %(name)s's points by %(points)s.")
                % {"name": person.name, "points": f"{form.cleaned_data['points']:+d}"},
            )
            return redirect("leaderboard:review_person", user_id=person.pk)
    context = _person_context(request, person, adjust_form=form)
    return render(request, "leaderboard/review_person.html", context, status=400)


@permission_required(HR_WORKSPACE)
def recompute(request):
    form = RecomputeForm(posted(request)[0])
    if request.method == "POST" and form.is_valid():
        done = points_recompute(
            actor=request.user, reason=form.cleaned_data["reason"], since=form.cleaned_data["since"]
        )
        messages.success(
            request,
            gettext("Recompute done: %(events)s events corrected, %(points)s points in all.")
            % {"events": done.events_changed, "points": f"{done.points_delta:+d}"},
        )
        return redirect("leaderboard:recompute")
    status = 400 if request.method == "POST" else 200
    history = Recompute.objects.select_related("actor", "rules")[:20]
    return render(
        request,
        "leaderboard/recompute.html",
        {"form": form, "history": history, "rules": points_rules_in_force()},
        status=status,
    )
