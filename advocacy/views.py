from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from advocacy.people.health import health_report


@never_cache
def healthz(request):
    healthy, report = health_report()
    report["status"] = "ok" if healthy else "degraded"
    return JsonResponse(report, status=200 if healthy else 503)
