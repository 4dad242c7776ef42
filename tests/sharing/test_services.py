import uuid
from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from sharing import clickstream
from sharing.models import Click, Share
from sharing.services import click_record, clicks_drain, clicks_purge, clicks_tally

from .conftest import make_share


def _capture(conn, share, *, visitor, kind_bot=False, event_id=None, now=None):
    entry = {"state": "ok", "s": share.pk, "u": share.user_id, "h": "", "d": "https://example.com/", "x": 0}
    return clickstream.capture(
        conn,
        code=share.code,
        visitor_today=visitor,
        visitor_yesterday="y" + visitor,
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
    for kind in ("human", "human", "bot", "duplicate", "self"):
        Click.objects.create(event_id=uuid.uuid4(), share=share, occurred_at=now, visitor_hash="v", kind=kind)
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

    def test_the_retention_window_comes_from_the_environment(self, monkeypatch):
        import importlib

        from advocacy.settings import base

        monkeypatch.setenv("CLICK_RETENTION_DAYS", "30")
        assert importlib.reload(base).CLICK_RETENTION_DAYS == 30
        monkeypatch.setenv("CLICK_RETENTION_DAYS", "soon")
        with pytest.raises(Exception, match="CLICK_RETENTION_DAYS"):
            importlib.reload(base)
        monkeypatch.delenv("CLICK_RETENTION_DAYS")
        assert importlib.reload(base).CLICK_RETENTION_DAYS == 90
