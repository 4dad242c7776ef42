"""Two drains at once over the same links never deadlock (issue 15: 25 of 229 runs did on PostgreSQL)."""

import threading
import uuid

import pytest
from django.db import connections
from django.utils import timezone

from sharing import clickstream
from sharing.models import Click, Share
from sharing.services import clicks_drain

from .conftest import make_post, make_share

ROUNDS = 12
LINKS = 8


def _push(conn, shares, *, round_number):
    """One human click per link and round, in an order that differs from round to round and drain to drain."""
    now = timezone.now().timestamp()
    order = shares if round_number % 2 else list(reversed(shares))
    pipe = conn.pipeline(transaction=False)
    for offset in range(2):
        for share in order[offset::2] + order[1 - offset :: 2]:
            fields = {"e": uuid.uuid4().hex, "s": share.pk, "v": uuid.uuid4().hex, "y": "", "a": uuid.uuid4().hex,
                      "k": "human", "t": f"{now:.6f}"}  # fmt: skip
            pipe.xadd(clickstream.STREAM_KEY, fields)
    pipe.execute()


@pytest.mark.django_db(transaction=True)
def test_two_drains_over_overlapping_links_never_deadlock(postgres_only, with_redis, alice, casey):
    shares = [
        make_share(user=alice, post=make_post(slug=f"lock-{n}", created_by=casey), code=f"Lock{n:05d}")
        for n in range(LINKS)
    ]
    conn = clickstream.client()
    errors: list[str] = []
    expected = 0
    for round_number in range(ROUNDS):
        _push(conn, shares, round_number=round_number)
        expected += 2 * len(shares)
        start = threading.Barrier(2)

        def drain(start=start):
            try:
                start.wait(5)
                # Small batches, so each drain's batches span the links in its own order.
                clicks_drain(batch_size=3)
            except Exception as exc:
                errors.append(repr(exc))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=drain) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert errors == []
    assert Click.objects.count() == expected
    assert sum(Share.objects.values_list("human_clicks", flat=True)) == expected
