from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from metrics.models import ProviderHealth, PullFailure, ShareMetrics
from metrics.providers import Metrics
from metrics.services import snapshot_record
from metrics.tracking import share_metrics_start
from tests.metrics.conftest import make_share

pytestmark = pytest.mark.django_db


def with_history(share, likes=(1, 4, 9)):
    tracked = share_metrics_start(share=share)
    for hour, value in enumerate(likes):
        snapshot_record(
            tracked=tracked,
            slot=tracked.published_at + timedelta(hours=hour),
            metrics=Metrics(likes=value, reposts=hour, replies=None),
            taken_at=timezone.now(),
        )
    return tracked


def fail(share, n):
    PullFailure.objects.create(
        share=share,
        slot=timezone.now() - timedelta(hours=n),
        network=share.network,
        outcome="transient",
        detail="Bluesky answered HTTP 503",
        attempts=5,
        recorded_at=timezone.now(),
    )


# --- provider health ---------------------------------------------------------------------------------


def test_provider_health_shows_configuration_and_rejected_credentials(client, casey, settings):
    settings.METRICS_X_BEARER_TOKEN = "set"
    settings.METRICS_LINKEDIN_TOKEN = ""
    ProviderHealth.objects.create(
        network="x",
        status=ProviderHealth.Status.CREDENTIALS,
        last_error="X answered HTTP 401",
        paused_until=timezone.now() + timedelta(minutes=30),
    )
    client.force_login(casey)
    response = client.get(reverse("metrics:provider_health"))
    assert response.status_code == 200
    page = response.content.decode()
    linkedin = page[page.index('id="provider-linkedin"') :]
    assert "Not configured" in linkedin[: linkedin.index("</tr>")]
    x = page[page.index('id="provider-x"') :]
    assert "Credentials rejected" in x[: x.index("</tr>")]
    assert "X answered HTTP 401" in page


@pytest.mark.parametrize("size", [1, 12])
def test_provider_health_query_count_does_not_grow(client, harper, alice, django_assert_num_queries, size):
    for n in range(size):
        share = make_share(user=alice)
        with_history(share)
        fail(share, n)
    client.force_login(harper)
    # session, user, user and group permissions, health rows, tracked counts per network,
    # the menu's library badge, recent failures with their share, person and post
    # +1: the organisation's branding that every page's header reads (cached after the first page).
    with django_assert_num_queries(9):
        response = client.get(reverse("metrics:provider_health"))
    assert response.status_code == 200
    assert len(response.context["failures"]) == size
    assert sum(row.tracking for row in response.context["providers"]) == size


# --- a share's history ----------------------------------------------------------------------------------


@pytest.mark.parametrize("pulls", [3, 40])
def test_the_history_page_query_count_does_not_grow(client, alice, django_assert_num_queries, pulls):
    share = make_share(user=alice)
    with_history(share, likes=range(pulls))
    client.force_login(alice)
    # session, user, user and group permissions, the share with its person, post and metrics,
    # its snapshots, its failures, the menu's library badge
    # +1: the organisation's branding that every page's header reads (cached after the first page).
    with django_assert_num_queries(9):
        response = client.get(reverse("metrics:share_history", kwargs={"share_id": share.pk}))
    assert len(response.context["snapshots"]) == pulls


def test_the_owner_sees_the_chart_and_the_numbers(client, alice):
    share = make_share(user=alice)
    with_history(share)
    client.force_login(alice)
    response = client.get(reverse("metrics:share_history", kwargs={"share_id": share.pk}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and 'role="img"' in page
    assert page.count("<polyline") == 2, "likes and reposts; replies are never reported here"
    assert "Likes: 9" in page
    assert "style=" not in page and "<script>" not in page
    rows = response.context["snapshots"]
    assert [s.likes for s in rows] == [1, 4, 9]


def test_another_employee_gets_not_found(client, alice, bob):
    share = make_share(user=alice)
    client.force_login(bob)
    assert client.get(reverse("metrics:share_history", kwargs={"share_id": share.pk})).status_code == 404


def test_a_share_without_metrics_explains_what_to_do(client, alice):
    share = make_share(user=alice)
    ShareMetrics.objects.filter(share=share).delete()
    client.force_login(alice)
    response = client.get(reverse("metrics:share_history", kwargs={"share_id": share.pk}))
    assert response.status_code == 200
    assert "No metrics yet" in response.content.decode()


def test_demo_histories_say_so(client, alice):
    share = make_share(user=alice)
    tracked = with_history(share)
    ShareMetrics.objects.filter(pk=tracked.pk).update(is_demo=True)
    client.force_login(alice)
    response = client.get(reverse("metrics:share_history", kwargs={"share_id": share.pk}))
    assert "Demo data" in response.content.decode()
