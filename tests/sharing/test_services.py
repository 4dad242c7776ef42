import uuid
from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from sharing import clickstream
from sharing.models import Click, Share
from sharing.services import click_record, clicks_drain, clicks_purge, clicks_tally

from .conftest import make_share


def _capture(conn, share, *, visitor, address=None, kind_bot=False, event_id=None, now=None):
    entry = {"state": "ok", "s": share.pk, "u": share.user_id, "h": "", "d": "https://example.com/", "x": 0, "p": 0}
    return clickstream.capture(
        conn,
        code=share.code,
        visitor_today=visitor,
        visitor_yesterday="y" + visitor,
        address=address or "address-of-" + visitor,
        is_bot=kind_bot,
        sharer_ids=[],
        event_id=event_id or uuid.uuid4().hex,
        now=(now or timezone.now()).timestamp(),
        entry=entry,
    )


@pytest.mark.django_db
class TestDrain:
    def test_draining_twice_counts_each_click_once(self, with_redis, share):
        conn = clickstream.client()
        for visitor in ("a", "b", "b", "c"):
            _capture(conn, share, visitor=visitor)
        assert clicks_drain() == 4
        assert clicks_drain() == 0
        share.refresh_from_db()
        assert share.human_clicks == 3
        assert Click.objects.count() == 4

    def test_a_batch_applied_again_after_a_crash_is_not_counted_twice(self, with_redis, share, monkeypatch):
        conn = clickstream.client()
        for visitor in ("a", "b"):
            _capture(conn, share, visitor=visitor)

        def crash(*args, **kwargs):
            raise redis.ConnectionError("worker killed before acknowledging")

        monkeypatch.setattr(clickstream, "stream_ack", crash)
        clicks_drain()  # wrote the rows, never acknowledged the stream entries
        monkeypatch.undo()
        share.refresh_from_db()
        assert share.human_clicks == 2
        # The entries are still pending; a later run reclaims and applies them again.
        assert clicks_drain(min_idle_ms=0) == 2
        share.refresh_from_db()
        assert share.human_clicks == 2
        assert Click.objects.count() == 2
        assert conn.xlen(clickstream.STREAM_KEY) == 0

    def test_the_same_event_captured_twice_is_one_row(self, with_redis, share):
        conn = clickstream.client()
        event = uuid.uuid4().hex
        _capture(conn, share, visitor="a", event_id=event)
        conn.delete(clickstream.SEEN_KEY.format(code=share.code, visitor="a"))
        _capture(conn, share, visitor="a", event_id=event)
        clicks_drain()
        share.refresh_from_db()
        assert share.human_clicks == 1
        assert Click.objects.count() == 1

    def test_clicks_of_a_deleted_share_are_dropped(self, with_redis, share, alice, post):
        other = make_share(user=alice, post=post, network="x", code="Other0001")
        conn = clickstream.client()
        _capture(conn, share, visitor="a")
        _capture(conn, other, visitor="a")
        other.delete()
        assert clicks_drain() == 2
        assert list(Click.objects.values_list("share_id", flat=True)) == [share.pk]

    def test_it_does_nothing_without_redis(self, share):
        assert clicks_drain() == 0


@pytest.mark.django_db
def test_tally_adds_each_untallied_click_once(share):
    now = timezone.now()
    for n, kind in enumerate(("human", "human", "bot", "duplicate", "self")):
        Click.objects.create(event_id=uuid.uuid4(), share=share, occurred_at=now, visitor_hash=f"v{n}", kind=kind)
    assert clicks_tally() == 5
    assert clicks_tally() == 0
    share.refresh_from_db()
    assert share.human_clicks == 2


@pytest.mark.django_db
def test_recording_the_same_click_twice_counts_it_once(share):
    entry = {"state": "ok", "s": share.pk, "u": share.user_id, "h": "", "d": "", "x": 0}
    event = uuid.uuid4().hex
    for _ in range(2):
        click_record(
            entry=entry,
            visitor_today="v1",
            visitor_yesterday="v0",
            address="a1",
            is_bot=False,
            sharer_ids=[],
            event_id=event,
            now=timezone.now(),
        )
    share.refresh_from_db()
    assert share.human_clicks == 1


@pytest.mark.django_db
class TestPurge:
    def test_it_purges_old_raw_clicks_and_keeps_the_totals(self, share, settings):
        settings.CLICK_RETENTION_DAYS = 90
        now = timezone.now()
        for days in (91, 100, 89, 1):
            Click.objects.create(
                event_id=uuid.uuid4(),
                share=share,
                occurred_at=now - timedelta(days=days),
                visitor_hash=f"v{days}",
                kind="human",
                tallied=True,
            )
        Share.objects.filter(pk=share.pk).update(human_clicks=4)
        assert clicks_purge(now=now) == 2
        assert clicks_purge(now=now) == 0
        assert sorted(Click.objects.values_list("visitor_hash", flat=True)) == ["v1", "v89"]
        share.refresh_from_db()
        assert share.human_clicks == 4

    def test_it_keeps_old_clicks_until_they_are_tallied(self, share):
        old = timezone.now() - timedelta(days=200)
        Click.objects.create(event_id=uuid.uuid4(), share=share, occurred_at=old, visitor_hash="v", kind="human")
        assert clicks_purge() == 0
        clicks_tally()
        assert clicks_purge() == 1
        share.refresh_from_db()
        assert share.human_clicks == 1

    def test_the_retention_window_comes_from_the_environment(self, monkeypatch, tmp_path):
        from tests.base_settings import load_base_settings

        monkeypatch.setenv("VAR_DIR", str(tmp_path))
        assert load_base_settings(monkeypatch, CLICK_RETENTION_DAYS="30").CLICK_RETENTION_DAYS == 30
        with pytest.raises(Exception, match="CLICK_RETENTION_DAYS"):
            load_base_settings(monkeypatch, CLICK_RETENTION_DAYS="soon")
        monkeypatch.delenv("CLICK_RETENTION_DAYS")
        assert load_base_settings(monkeypatch).CLICK_RETENTION_DAYS == 90


def _record(share, *, visitor, address="a1", now=None):
    entry = {"state": "ok", "s": share.pk, "u": share.user_id, "h": "", "d": "", "x": 0}
    return click_record(
        entry=entry,
        visitor_today=visitor,
        visitor_yesterday="y" + visitor,
        address=address,
        is_bot=False,
        sharer_ids=[],
        event_id=uuid.uuid4().hex,
        now=now or timezone.now(),
    )


@pytest.mark.django_db
class TestOneTruthForAlreadyCounted:
    """The database fallback and the Redis path each deduplicate against themselves; the drain decides."""

    def test_a_visitor_counted_through_the_database_is_a_duplicate_when_redis_sends_them_again(self, with_redis, share):
        assert _record(share, visitor="a") == "human"  # Redis was down for this visit
        _capture(clickstream.client(), share, visitor="a")  # Redis is back and has never seen them
        clicks_drain()
        share.refresh_from_db()
        assert share.human_clicks == 1
        assert sorted(Click.objects.values_list("kind", flat=True)) == ["duplicate", "human"]

    def test_a_visitor_waiting_in_the_stream_is_a_duplicate_of_the_database_write(self, with_redis, share):
        earlier = timezone.now() - timedelta(seconds=30)
        _capture(clickstream.client(), share, visitor="a", now=earlier)  # captured, not drained yet
        assert _record(share, visitor="a") == "human"  # Redis went down; the database has not seen them
        clicks_drain()
        share.refresh_from_db()
        assert share.human_clicks == 1
        assert sorted(Click.objects.values_list("kind", flat=True)) == ["duplicate", "human"]

    def test_yesterdays_hash_within_24_hours_is_the_same_visitor(self, with_redis, share):
        Click.objects.create(
            event_id=uuid.uuid4(),
            share=share,
            occurred_at=timezone.now() - timedelta(hours=2),
            visitor_hash="ya",  # the same browser before midnight
            kind="human",
            tallied=True,
        )
        _capture(clickstream.client(), share, visitor="a")
        clicks_drain()
        assert Click.objects.filter(visitor_hash="a").get().kind == "duplicate"

    def test_the_address_limit_holds_across_both_paths(self, with_redis, share, settings):
        settings.SHARE_CLICKS_PER_ADDRESS = 2
        assert _record(share, visitor="a", address="office") == "human"
        assert _record(share, visitor="b", address="office") == "human"
        _capture(clickstream.client(), share, visitor="c", address="office")
        clicks_drain()
        assert Click.objects.get(visitor_hash="c").kind == "address"

    def test_the_database_refuses_a_second_human_click_from_one_visitor_on_one_link_in_a_day(self, share):
        from django.db import IntegrityError, transaction

        now = timezone.now()
        Click.objects.create(event_id=uuid.uuid4(), share=share, occurred_at=now, visitor_hash="a", kind="human")
        with pytest.raises(IntegrityError), transaction.atomic():
            Click.objects.create(event_id=uuid.uuid4(), share=share, occurred_at=now, visitor_hash="a", kind="human")
        Click.objects.create(event_id=uuid.uuid4(), share=share, occurred_at=now, visitor_hash="a", kind="duplicate")
