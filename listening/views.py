"""Comms pages: the monitor (chart, per-term counts, the wall, the sources) and the terms to listen for."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from advocacy.forms import form_errors_from, posted
from advocacy.people.access import permission_required
from advocacy.people.roles import COMMS_WORKSPACE

from .charts import mentions_chart
from .forms import TermForm
from .selectors import (
    employee_share,
    mention_wall,
    mentions_by_day,
    sources_list,
    term_get,
    term_network_totals,
    terms_exist,
    terms_list,
)
from .services import term_add, term_remove

CHART_DAYS = 30


@permission_required(COMMS_WORKSPACE)
def monitor(request):
    days = mentions_by_day(days=CHART_DAYS)
    total = sum(day.mentions for day in days)
    by_employees = sum(day.by_employees for day in days)
    return render(
        request,
        "listening/monitor.html",
        {
            "days": days,
            "chart": mentions_chart(days),
            "chart_days": CHART_DAYS,
            "total": total,
            "by_employees": by_employees,
            "employee_share": employee_share(mentions=total, by_employees=by_employees),
            "totals": term_network_totals(days=CHART_DAYS),
            "wall": mention_wall(),
            "sources": sources_list(),
            "has_terms": terms_exist(),
        },
    )


@permission_required(COMMS_WORKSPACE)
def term_settings(request):
    form = TermForm(*posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            term = term_add(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Listening for %(value)s from the next run.") % {"value": term.value})
            return redirect("listening:settings")
    return render(
        request,
        "listening/settings.html",
        {
            "form": form,
            "terms": terms_list(),
            "bluesky_url": settings.LISTENING_BLUESKY_SEARCH_URL,
            "mastodon_instances": sorted(settings.LISTENING_MASTODON_INSTANCES),
            "interval": settings.LISTENING_INTERVAL_MINUTES,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@permission_required(COMMS_WORKSPACE)
def term_remove_view(request, term_id):
    term = term_get(term_id=term_id)
    term_remove(actor=request.user, term=term)
    messages.success(request, _("No longer listening for %(value)s; its counts are gone.") % {"value": term.value})
    return redirect("listening:settings")
