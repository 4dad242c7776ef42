from datetime import timedelta

import pytest
from django.utils import timezone

from metrics.models import ProviderHealth
from metrics.providers import Metrics
from metrics.services import snapshot_record
from metrics.tracking import share_metrics_start
from tests.conftest import login_in_browser, nav_link
from tests.metrics.conftest import make_share

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_comms_finds_provider_health_in_the_menu(page, live_server, casey, settings):
    settings.METRICS_X_BEARER_TOKEN = "set"
    ProviderHealth.objects.create(
        network="x", status=ProviderHealth.Status.CREDENTIALS, last_error="X answered HTTP 401"
    )
    problems = []
    page.on("console", lambda message: problems.append(message.text) if "Refused to" in message.text else None)
    login_in_browser(page, live_server, "casey")
    nav_link(page, "Provider health").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Provider health").is_visible()
    x_row = page.locator("#provider-x")
    assert "Credentials rejected" in x_row.inner_text()
    assert "Not configured" in page.locator("#provider-linkedin").inner_text()
    assert problems == [], "the page breaks the Content-Security-Policy"


def test_the_owner_sees_the_history_chart_beside_the_numbers(page, live_server, alice):
    share = make_share(user=alice)
    tracked = share_metrics_start(share=share)
    for hour, likes in enumerate([2, 7, 11, 12]):
        snapshot_record(
            tracked=tracked,
            slot=tracked.published_at + timedelta(hours=hour),
            metrics=Metrics(likes=likes, reposts=hour, replies=1, quotes=0),
            taken_at=timezone.now(),
        )
    problems = []
    page.on("console", lambda message: problems.append(message.text) if "Refused to" in message.text else None)
    login_in_browser(page, live_server, "alice")
    page.goto(f"{live_server.url}/metrics/shares/{share.pk}/")
    chart = page.get_by_role("img", name="Likes, reposts, replies and quotes over time")
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    assert page.locator("svg polyline").count() == 4
    assert page.locator(".metric-table tbody tr").count() == 4
    assert "Likes: 12" in page.locator(".chart-legend").inner_text()
    # The colours come from the stylesheet (the CSP forbids inline styles): the likes line is drawn blue.
    stroke = page.locator(".series-likes polyline").evaluate("el => getComputedStyle(el).stroke")
    assert stroke == "rgb(31, 95, 191)"
    assert problems == [], "the page breaks the Content-Security-Policy"
