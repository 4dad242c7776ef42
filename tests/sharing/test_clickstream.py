"""The click cache in Redis: back at once after a restart, true to its post, and useful while PostgreSQL is down."""

import json
import threading
import uuid
from datetime import timedelta

import pytest
import redis
from django.db import OperationalError
from django.utils import timezone

from content_library.models import Post
from content_library.services import post_schedule, post_transition
from sharing import clickstream, views
from sharing.models import Click
from sharing.services import clicks_drain

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_redis(tmp_path, settings):
    """A redis-server of this test's own (persistence on), which it may restart."""
    import shutil

    from tests.batteries.conftest import FaultsRedisServer

    if not shutil.which("redis-server"):
        from tests.conftest import missing_service

        missing_service("redis-server is not installed")
    server = FaultsRedisServer(tmp_path)
    server.start()
    settings.REDIS_URL = server.url()
    clickstream.reset_state()
    yield server
    server.kill()
    clickstream.reset_state()


def _fallbacks(monkeypatch) -> list:
    writes = []
    record = views.click_record
    monkeypatch.setattr(views, "click_record", lambda **kwargs: writes.append(1) or record(**kwargs))
    return writes


class TestAfterARedisRestart:
    def test_the_next_click_uses_redis_again(self, private_redis, share, click, monkeypatch):
        writes = _fallbacks(monkeypatch)
        assert click(share.code).status_code == 302  # the thread now holds a connection
        private_redis.restart()  # that connection's socket is dead now
        assert click(share.code, ip="198.51.100.70").status_code == 302
        assert writes == []
        assert redis.Redis.from_url(private_redis.url()).xlen(clickstream.STREAM_KEY) == 2
        clicks_drain()
        assert Click.objects.filter(kind="human").count() == 2

    def test_every_thread_with_an_old_connection_uses_redis_again(self, private_redis, share):
        entry = {"state": "ok", "s": share.pk, "u": 0, "h": "", "d": "https://example.com/", "x": 0, "p": 0, "v": ""}
        conn = clickstream.client()
        warmed, go, results = threading.Barrier(4), threading.Event(), []

        def worker():
            kwargs = {"visitor_yesterday": "y", "is_bot": False, "sharer_ids": [], "now": timezone.now().timestamp()}
            clickstream.capture(conn, code=share.code, visitor_today=uuid.uuid4().hex, address="a",
                                event_id=uuid.uuid4().hex, entry=entry, **kwargs)  # fmt: skip
            warmed.wait()
            go.wait(10)
            try:
                clickstream.capture(conn, code=share.code, visitor_today=uuid.uuid4().hex, address="b",
                                    event_id=uuid.uuid4().hex, **kwargs)  # fmt: skip
                results.append("redis")
            except redis.RedisError as exc:
                results.append(repr(exc))

        threads = [threading.Thread(target=worker) for _ in range(3)]
        for thread in threads:
            thread.start()
        warmed.wait()
        private_redis.restart()
        go.set()
        for thread in threads:
            thread.join(10)
        assert results == ["redis"] * 3


class TestAPostThatChanges:
    """Archiving, rejecting, expiring or re-pointing a post changes its cached links at once."""

    def _cached(self, share, click, with_redis):
        assert click(share.code).status_code == 302
        assert redis.Redis.from_url(with_redis).exists(clickstream.LINK_KEY.format(code=share.code))

    def test_an_archived_post_stops_redirecting_and_counting_at_once(
        self, with_redis, share, post, click, casey, django_capture_on_commit_callbacks
    ):
        self._cached(share, click, with_redis)
        with django_capture_on_commit_callbacks(execute=True):
            post_transition(post=post, to_status=Post.Status.ARCHIVED, actor=casey)
        assert click(share.code, ip="198.51.100.71").status_code == 410
        clicks_drain()
        assert Click.objects.filter(share=share).count() == 1

    def test_a_rejected_post_stops_at_once(self, with_redis, share, post, click, django_capture_on_commit_callbacks):
        self._cached(share, click, with_redis)
        with django_capture_on_commit_callbacks(execute=True):
            post.status = Post.Status.REJECTED
            post.save()
        assert click(share.code, ip="198.51.100.72").status_code == 410

    def test_an_expiry_moved_into_the_past_stops_it_at_once(
        self, with_redis, share, post, click, casey, django_capture_on_commit_callbacks
    ):
        self._cached(share, click, with_redis)
        with django_capture_on_commit_callbacks(execute=True):
            post_schedule(
                post=post, actor=casey, publish_at=post.publish_at, expires_at=timezone.now() - timedelta(minutes=1)
            )
        assert click(share.code, ip="198.51.100.73").status_code == 410
        clicks_drain()
        assert Click.objects.filter(share=share).count() == 1

    def test_a_new_destination_is_followed_at_once(
        self, with_redis, share, post, click, django_capture_on_commit_callbacks
    ):
        self._cached(share, click, with_redis)
        with django_capture_on_commit_callbacks(execute=True):
            post.destination_url = "https://example.org/moved"
            post.save()
        assert click(share.code, ip="198.51.100.74")["Location"].startswith("https://example.org/moved?")

    def test_an_entry_read_just_before_the_change_is_not_cached_after_it(
        self, with_redis, share, post, django_capture_on_commit_callbacks
    ):
        before = views.share_link_entry(code=share.code)
        with django_capture_on_commit_callbacks(execute=True):
            post.status = Post.Status.ARCHIVED
            post.save()
        kwargs = {"visitor_yesterday": "y", "address": "a", "is_bot": False, "sharer_ids": [], "event_id": "e"}
        conn = clickstream.client()
        clickstream.capture(conn, code=share.code, visitor_today="v", now=0, entry=before, **kwargs)
        assert not conn.exists(clickstream.LINK_KEY.format(code=share.code))


class TestWhileTheDatabaseIsDown:
    def _database_down(self, monkeypatch):
        def unreachable(**kwargs):
            raise OperationalError("could not connect to server: Connection refused")

        monkeypatch.setattr(views, "share_link_entry", unreachable)

    def test_a_cached_link_keeps_working_past_its_freshness(self, with_redis, share, click, monkeypatch, settings):
        assert click(share.code).status_code == 302
        conn = redis.Redis.from_url(with_redis)
        key = clickstream.LINK_KEY.format(code=share.code)
        entry = json.loads(conn.get(key))
        assert conn.ttl(key) > settings.SHARE_LINK_CACHE_SECONDS  # it outlives its freshness
        conn.set(key, json.dumps({**entry, "f": 0}))  # past its freshness
        self._database_down(monkeypatch)
        response = click(share.code, ip="198.51.100.75")
        assert response.status_code == 302
        assert response["Location"] == entry["d"]
        monkeypatch.undo()
        clicks_drain()
        assert Click.objects.filter(kind="human").count() == 2

    def test_a_stale_entry_is_refreshed_from_the_database_on_use(self, with_redis, share, post, click):
        assert click(share.code).status_code == 302
        Post.objects.filter(pk=post.pk).update(destination_url="https://example.org/quietly-moved")
        conn = redis.Redis.from_url(with_redis)
        key = clickstream.LINK_KEY.format(code=share.code)
        assert click(share.code, ip="198.51.100.76")["Location"].startswith("https://example.com/")
        conn.set(key, json.dumps({**json.loads(conn.get(key)), "f": 0}))
        assert click(share.code, ip="198.51.100.77")["Location"].startswith("https://example.org/quietly-moved?")

    def test_a_link_never_cached_gets_503_with_retry_after(self, with_redis, share, click, monkeypatch):
        self._database_down(monkeypatch)
        response = click(share.code)
        assert response.status_code == 503
        assert int(response["Retry-After"]) > 0
        assert "try again" in response.content.decode()

    def test_with_redis_down_too_it_gets_503(self, redis_down, share, click, monkeypatch):
        self._database_down(monkeypatch)
        response = click(share.code)
        assert response.status_code == 503
        assert int(response["Retry-After"]) > 0
