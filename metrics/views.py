from django.http import Http404
from django.shortcuts import render

from advocacy.people.access import permission_required
from advocacy.people.roles import COMMS_WORKSPACE, EMPLOYEE_AREA, HR_WORKSPACE

from . import selectors
from .charts import history_chart
from .models import ShareMetrics


@permission_required(COMMS_WORKSPACE, HR_WORKSPACE)
def provider_health(request):
    return render(
        request,
        "metrics/provider_health.html",
        {"providers": selectors.provider_health_list(), "failures": selectors.pull_failure_recent()},
    )


@permission_required(EMPLOYEE_AREA)
def share_history(request, share_id: int):
    # Someone else's share is "not found" rather than "forbidden": its existence is not theirs to know.
    share = selectors.share_for_metrics(share_id=share_id, user=request.user)
    if share is None:
        raise Http404("No such share")
    try:
        tracked = share.metrics
    except ShareMetrics.DoesNotExist:
        tracked = None
    snapshots = selectors.share_snapshot_history(share=share)
    return render(
        request,
        "metrics/share_history.html",
        {
            "share": share,
            "tracked": tracked,
            "snapshots": snapshots,
            "chart": history_chart(snapshots),
            "failures": selectors.share_pull_failures(share=share),
        },
    )
