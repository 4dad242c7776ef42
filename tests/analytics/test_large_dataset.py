"""100,000+ shares: the dashboard's query count stays fixed and the CSV export streams in bounded memory."""

import tracemalloc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sharing.models import Share
from tests.analytics.conftest import build_program

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

RANGE = {"start": "2026-03-02", "end": "2026-03-11"}


def test_a_hundred_thousand_shares(client, casey, django_assert_num_queries):
    program = build_program(people_per_team=(101, 101, 101, 101, 101, 3), posts=50, shares_per_person=200)
    total = Share.objects.count()
    assert total >= 100_000
    client.force_login(casey)

    # The same 17 queries as on a handful of shares (test_views): session, user, permissions ×2,
    # nav badge, teams, participation, totals, posts, campaigns, contributors, networks, content types, trend,
    # the programme's goals and reach panels, branding.
    with django_assert_num_queries(17):
        response = client.get(reverse("analytics:comms_dashboard"), RANGE)
    assert response.context["dashboard"].totals.shares == total

    response = client.get(reverse("analytics:export", kwargs={"table": "shares"}), RANGE)
    assert response.streaming
    chunks = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as queries:
        header = next(chunks)
        first_row = next(chunks)
    assert header.startswith(b"Shared at,Post,Network")
    assert first_row.count(b",") >= 9
    # One query started, and its rows arrive chunk by chunk as the generator is read.
    assert len(queries) == 1

    tracemalloc.start()
    lines, size = 2, 0
    for chunk in chunks:
        lines += 1
        size += len(chunk)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert lines == total + 1
    # The CSV is several MB; the peak stays a fraction of it because no more than a chunk of rows is held.
    assert size > 8_000_000
    assert peak < size / 2, (peak, size)
    del program
