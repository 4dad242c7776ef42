from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from advocacy.exports import csv_response
from advocacy.panels import panels_for
from advocacy.people.access import permission_required
from advocacy.people.roles import COMMS_WORKSPACE, HR_WORKSPACE

from . import exports, selectors
from .charts import bar_chart, line_chart
from .forms import DashboardFilterForm

PEOPLE_ON_PAGE = 200


def _filter_form(request, *, with_team: bool = True) -> DashboardFilterForm:
    return DashboardFilterForm(request.GET, with_team=with_team)


@permission_required(COMMS_WORKSPACE)
def comms_dashboard(request):
    form = _filter_form(request)
    if form.is_bound and not form.is_valid():
        # Bad dates get their message and nothing else: figures for other dates would mislead.
        return render(request, "analytics/comms_dashboard.html", {"form": form}, status=400)
    dashboard = selectors.comms_dashboard(filters=form.filters())
    context = {
        "form": form,
        "dashboard": dashboard,
        "query": request.GET.urlencode(),
        "currency": settings.EARNED_MEDIA_CURRENCY,
    }
    context["panels"] = panels_for("comms_dashboard", request=request)  # registered by higher apps
    if not dashboard.hidden:
        context["charts"] = {
            # Shares and clicks differ by orders of magnitude: one chart each, each with its own axis.
            "shares_trend": line_chart(dashboard.trend, x="period", series=[("shares", _("Shares"))]),
            "clicks_trend": line_chart(dashboard.trend, x="period", series=[("human_clicks", _("Human clicks"))]),
            "networks": bar_chart(dashboard.networks, label="label", value="shares"),
            "content_types": bar_chart(dashboard.content_types, label="label", value="shares"),
            "participation": bar_chart(
                [{"name": row.name, "percent": row.percent} for row in dashboard.participation if not row.hidden],
                label="name",
                value="percent",
            ),
        }
    return render(request, "analytics/comms_dashboard.html", context)


@permission_required(COMMS_WORKSPACE)
def post_performance(request, post_id: int):
    post = selectors.post_for_analytics(post_id=post_id)
    performance = selectors.post_performance(post=post)
    return render(
        request,
        "analytics/post_performance.html",
        {
            "performance": performance,
            "network_chart": bar_chart(performance.networks, label="label", value="shares"),
            "clicks_chart": line_chart(
                performance.clicks_by_day, x="period", series=[("human_clicks", _("Human clicks"))]
            ),
        },
    )


@permission_required(HR_WORKSPACE)
def hr_dashboard(request):
    form = _filter_form(request)
    if form.is_bound and not form.is_valid():
        return render(request, "analytics/hr_dashboard.html", {"form": form}, status=400)
    filters = form.filters()
    participation = selectors.participation_by_team(filters=filters)
    people = list(selectors.people_totals(filters=filters)[: PEOPLE_ON_PAGE + 1])
    return render(
        request,
        "analytics/hr_dashboard.html",
        {
            "form": form,
            "filters": filters,
            "query": request.GET.urlencode(),
            "participation": participation,
            "participation_chart": bar_chart(
                [{"name": row.name, "percent": row.percent} for row in participation if not row.hidden],
                label="name",
                value="percent",
            ),
            "acknowledgements": selectors.acknowledgement_rates(),
            "people": people[:PEOPLE_ON_PAGE],
            "more_people": len(people) > PEOPLE_ON_PAGE,
            "active_employees": sum(row.members for row in participation),
            "sharers": sum(row.sharers for row in participation),
            "min_group_size": selectors.MIN_GROUP_SIZE,
        },
    )


@permission_required(COMMS_WORKSPACE, HR_WORKSPACE)
def export_csv(request, table: str):
    spec = exports.TABLES.get(table)
    if spec is None:
        raise Http404("No such table.")
    if not any(request.user.has_perm(permission) for permission in spec.permissions):
        raise PermissionDenied
    form = _filter_form(request)
    if form.is_bound and not form.is_valid():
        return render(request, "analytics/export_error.html", {"form": form}, status=400)
    filters = form.filters()
    rows = exports.csv_rows(table=spec, filters=filters, team_too_small=selectors.team_too_small(filters=filters))
    team = f"-{filters.team.slug}" if filters.team else ""
    return csv_response(rows, filename=f"{table}{team}-{filters.start}-to-{filters.end}.csv")


@permission_required(COMMS_WORKSPACE)
def post_export_csv(request, post_id: int, table: str):
    if table not in exports.POST_TABLES:
        raise Http404("No such table.")
    post = selectors.post_for_analytics(post_id=post_id)
    return csv_response(exports.post_rows(post=post, table=table), filename=f"{slugify(post.slug)[:60]}-{table}.csv")
