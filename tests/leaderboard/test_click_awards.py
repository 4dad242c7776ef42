from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import transaction

from leaderboard import click_awards
from leaderboard.models import PendingPointEvent, PointEvent
from leaderboard.services import points_rules_current
from tests.content_library.factories import CampaignFactory

from .conftest import make_clicks, make_post, make_share

pytestmark = pytest.mark.django_db
WEDNESDAY = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
COMPARED = [field.attname for field in PointEvent._meta.concrete_fields if field.attname not in ("id", "created_at")]


class _Undo(Exception):
    pass


def _written_by(award, batches, rules) -> list[dict]:
    """The ledger rows ``award`` writes for ``batches`` (and queues), then undone."""
    rows = []
    try:
        with transaction.atomic():
            ids = award(batches, rules)
            assert set(PendingPointEvent.objects.values_list("event_id", flat=True)) == set(ids)
            rows = list(PointEvent.objects.filter(pk__in=ids).order_by("cause_key").values(*COMPARED))
            raise _Undo
    except _Undo:
        pass
    return rows


def test_the_one_statement_award_writes_what_the_portable_path_writes(postgres_only, alice, bob):
    """Same keys, points, periods, team, campaign, description and detail, cap and top-up included."""
    capped = make_share(user=alice, post=make_post(title='A "quoted" title'), at=WEDNESDAY - timedelta(days=1))
    make_clicks(share=capped, count=25, at=WEDNESDAY - timedelta(hours=3), spacing=timedelta(minutes=1))
    single = make_share(user=bob, post=make_post(campaign=CampaignFactory()), at=WEDNESDAY - timedelta(days=1))
    make_clicks(share=single, count=1, at=WEDNESDAY - timedelta(days=1))
    topped_up = make_share(user=alice, at=WEDNESDAY - timedelta(days=1))
    make_clicks(share=topped_up, count=7, at=WEDNESDAY)
    rules = points_rules_current()
    due = click_awards.click_batches_due(since_day=None, cap=rules.click_cap_per_share_per_day)
    due = [
        click_awards.DueBatch(b.share_id, b.day, b.seen, b.last, 3 if b.share_id == topped_up.pk else 0) for b in due
    ]
    # A batch whose share was deleted since: nobody to credit, on either path.
    due.append(click_awards.DueBatch(10**9, date(2026, 11, 25), 4, WEDNESDAY, 0))

    one_statement = _written_by(click_awards._award_chunk_postgres, due, rules)
    portable = _written_by(click_awards._award_chunk, due, rules)

    assert len(one_statement) == 3
    assert one_statement == portable
    keys = {row["cause_key"] for row in one_statement}
    assert f"clicks:{topped_up.pk}:2026-11-25:from-3" in keys
    assert any("daily cap reached" in row["description"] and "“A \"quoted\" title”" in row["description"]
               for row in one_statement)  # fmt: skip


def test_a_recorded_cause_is_neither_written_nor_queued_again(postgres_only, alice):
    share = make_share(user=alice, at=WEDNESDAY - timedelta(days=1))
    make_clicks(share=share, count=2, at=WEDNESDAY)
    rules = points_rules_current()
    due = click_awards.click_batches_due(since_day=None, cap=rules.click_cap_per_share_per_day)
    first = click_awards._award_chunk_postgres(due, rules)
    PendingPointEvent.objects.all().delete()
    assert click_awards._award_chunk_postgres(due, rules) == []
    assert PointEvent.objects.filter(share_ref=share.pk).count() == len(first) == 1
    assert not PendingPointEvent.objects.exists()
