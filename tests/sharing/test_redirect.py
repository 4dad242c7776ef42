"""The tracked link /s/<code>: where it goes, what it counts, and how fast."""

import io
import logging
from datetime import timedelta

import pytest
import redis
from django.apps import apps
from django.db import connection, models
from django.utils import timezone

from content_library.models import Post
from sharing import clickstream
from sharing.models import Click, Share
from sharing.services import clicks_drain
from sharing.visitors import SHARER_COOKIE, set_sharer_cookie

from .conftest import HUMAN_UA, OTHER_HUMAN_UA, make_post, make_share

EXPECTED = (
    "https://example.com/launch?ref=news&utm_source=linkedin&utm_medium=employee_advocacy&utm_campaign=launch-day"
)


def _kinds(share):
    return sorted(Click.objects.filter(share=share).values_list("kind", flat=True))


@pytest.mark.django_db
class TestWhereItGoes:
    def test_it_redirects_to_the_destination_with_utm_parameters(self, share, click):
        response = click(share.code)
        assert response.status_code == 302
        assert response["Location"] == EXPECTED

    def test_it_uses_the_campaign_slug_for_utm_campaign(self, share, post):
        from content_library.models import Campaign

        post.campaign = Campaign.objects.create(name="Spring launch", slug="spring-launch")
        post.save()
        share.refresh_from_db()
        from sharing.selectors import share_link_entry

        assert "utm_campaign=spring-launch" in share_link_entry(code=share.code)["d"]

    def test_it_replaces_utm_parameters_the_destination_already_had(self, alice, casey, click):
        post = make_post(slug="utm", destination_url="https://example.com/a?utm_source=spam&utm_medium=x&id=3")
        share = make_share(user=alice, post=post, code="Utm000001")
        location = click(share.code)["Location"]
        assert (
            location == "https://example.com/a?id=3&utm_source=linkedin&utm_medium=employee_advocacy&utm_campaign=utm"
        )

    @pytest.mark.parametrize(
        "suffix",
        [
            "?next=//evil.example",
            "?next=https://evil.example/",
            "?url=https%3A%2F%2Fevil.example",
            "?redirect=%2F%2Fevil.example",
            "?next=%5C%5Cevil.example",
            "?to=javascript:alert(1)",
            "?a=%0d%0aLocation:%20https://evil.example",
            "/",
            "//evil.example",
            "/%2F%2Fevil.example",
            "%2F%2Fevil.example",
            "\\evil.example",
            "%5C%5Cevil.example",
            "%0d%0aLocation:%20https://evil.example",
            "%0aSet-Cookie:%20x=1",
            "/../../evil.example",
            "@evil.example",
        ],
    )
    def test_nothing_in_the_request_changes_where_it_goes(self, share, client, suffix):
        response = client.get(
            f"/s/{share.code}{suffix}",
            HTTP_USER_AGENT=HUMAN_UA,
            HTTP_REFERER="https://evil.example/",
            HTTP_X_FORWARDED_HOST="evil.example",
            HTTP_X_ORIGINAL_URL="//evil.example",
        )
        assert response.status_code in (302, 404)
        if response.status_code == 302:
            assert response["Location"] == EXPECTED
        assert "evil" not in response.get("Location", "")

    @pytest.mark.parametrize(
        "stored",
        [
            "javascript:alert(1)",
            "//evil.example/",
            "ftp://files.example/x",
            "data:text/html,<script>alert(1)</script>",
            "https://good.example/\r\nSet-Cookie: a=b",
            "https:\\\\evil.example",
            "https://user:pass@evil.example/",
        ],
    )
    def test_it_never_follows_a_stored_destination_that_is_not_plain_http(self, share, post, click, stored):
        # Bypasses the model's validator, as a bad import or a manual SQL fix might.
        Post.objects.filter(pk=post.pk).update(destination_url=stored)
        response = click(share.code)
        assert response.status_code == 404
        assert "Location" not in response
        assert not Click.objects.exists()

    def test_it_sends_posts_without_a_destination_to_their_landing_page(self, alice, click, settings):
        post = make_post(slug="culture", destination_url="")
        share = make_share(user=alice, post=post, code="Land00001")
        location = click(share.code)["Location"]
        assert location == (
            f"{settings.SITE_URL}/p/Land00001/?utm_source=linkedin&utm_medium=employee_advocacy&utm_campaign=culture"
        )

    @pytest.mark.parametrize("code", ["Nope00000", "short", "way-too-long-code", "Abc123XY%21"])
    def test_unknown_codes_get_404(self, share, click, code):
        assert click(code).status_code == 404

    def test_expired_posts_get_a_friendly_page_and_count_nothing(self, share, post, click):
        Post.objects.filter(pk=post.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        response = click(share.code)
        assert response.status_code == 410
        assert b"no longer available" in response.content
        assert not Click.objects.exists()

    def test_withdrawn_posts_get_the_friendly_page(self, share, post, click):
        Post.objects.filter(pk=post.pk).update(status=Post.Status.ARCHIVED)
        assert click(share.code).status_code == 410

    def test_only_get_and_head_are_answered(self, share, client):
        assert client.post(f"/s/{share.code}").status_code == 405


@pytest.mark.django_db
class TestWhatItCounts:
    @pytest.mark.parametrize(
        "ua",
        [
            "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
            "Twitterbot/1.0",
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36",
            "http.rb/5.1.1 (Mastodon/4.2.8; +https://mastodon.social/)",
            "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)",
            "WhatsApp/2.23.20.0",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "curl/8.5.0",
            "python-requests/2.32",
            "",
            "   ",
        ],
    )
    def test_bots_get_their_redirect_but_are_not_counted(self, share, click, ua):
        response = click(share.code, ua=ua)
        assert response.status_code == 302
        assert response["Location"] == EXPECTED
        share.refresh_from_db()
        assert share.human_clicks == 0
        assert _kinds(share) == ["bot"]

    def test_head_requests_are_not_counted(self, share, client):
        response = client.head(f"/s/{share.code}", HTTP_USER_AGENT=HUMAN_UA)
        assert response.status_code == 302
        share.refresh_from_db()
        assert share.human_clicks == 0

    def test_a_person_counts_once_per_link_per_24_hours(self, share, click):
        click(share.code)
        click(share.code)
        click(share.code, ip="198.51.100.4")  # someone else
        click(share.code, ua=OTHER_HUMAN_UA)  # another browser on the same network
        share.refresh_from_db()
        assert share.human_clicks == 3
        assert _kinds(share) == ["duplicate", "human", "human", "human"]
        # 25 hours ago was yesterday, when the same browser hashed under yesterday's secret.
        from sharing.visitors import visitor_hash_for

        yesterday = timezone.localdate() - timedelta(days=1)
        first = visitor_hash_for(address="203.0.113.7", user_agent=HUMAN_UA, day=yesterday)
        Click.objects.filter(visitor_hash=Click.objects.order_by("pk").first().visitor_hash).update(visitor_hash=first)
        Click.objects.update(occurred_at=timezone.now() - timedelta(hours=25))
        click(share.code)
        share.refresh_from_db()
        assert share.human_clicks == 4

    def test_the_sharer_is_not_counted_from_their_signed_cookie(self, share, click, client, rf, alice):
        response = rf.get("/")
        from django.http import HttpResponse

        out = HttpResponse()
        set_sharer_cookie(response, out, user_id=alice.pk)
        client.cookies[SHARER_COOKIE] = out.cookies[SHARER_COOKIE].value
        assert click(share.code).status_code == 302
        share.refresh_from_db()
        assert share.human_clicks == 0
        assert _kinds(share) == ["self"]

    def test_a_forged_sharer_cookie_is_ignored(self, share, click, client, alice):
        client.cookies[SHARER_COOKIE] = f"{alice.pk}:forged-signature"
        click(share.code)
        assert _kinds(share) == ["human"]

    def test_the_sharer_is_not_counted_from_the_visitor_hash_they_shared_with(self, share, click, rf):
        from sharing.visitors import visitor_hashes

        request = rf.get("/", HTTP_USER_AGENT=HUMAN_UA, REMOTE_ADDR="203.0.113.7")
        Share.objects.filter(pk=share.pk).update(sharer_visitor_hash=visitor_hashes(request)[0])
        click(share.code)
        click(share.code, ip="198.51.100.9")
        assert _kinds(share) == ["human", "self"]

    def test_too_many_requests_from_one_visitor_get_429_with_retry_after(self, share, click, settings):
        settings.SHARE_REDIRECT_RATE_LIMIT = 3
        statuses = [click(share.code).status_code for _ in range(4)]
        assert statuses == [302, 302, 302, 429]
        response = click(share.code)
        assert 1 <= int(response["Retry-After"]) <= 60
        assert click(share.code, ip="198.51.100.20").status_code == 302

    def test_the_rate_limit_reads_the_client_address_through_trusted_proxies_only(self, share, click, settings):
        settings.SHARE_REDIRECT_RATE_LIMIT = 2
        settings.TRUSTED_PROXY_COUNT = 1
        for index in range(3):
            # A different forged first hop each time does not make a new visitor.
            response = click(share.code, ip="10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.{index}, 203.0.113.50")
        assert response.status_code == 429


def _text_columns():
    tables = set(connection.introspection.table_names())
    for model in apps.get_models():
        if model._meta.db_table not in tables:  # another app's model still without its migration
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.JSONField | models.GenericIPAddressField):
                yield model, field


@pytest.mark.django_db
def test_no_table_stores_a_raw_ip_address(share, click, client, settings):
    settings.SHARE_REDIRECT_RATE_LIMIT = 5
    address = "198.51.100.237"
    records = io.StringIO()
    handler = logging.StreamHandler(records)
    root = logging.getLogger()
    root.addHandler(handler)
    previous_level, root.level = root.level, logging.DEBUG
    try:
        for ua in (HUMAN_UA, HUMAN_UA, OTHER_HUMAN_UA, "Twitterbot/1.0", ""):
            click(share.code, ua=ua, ip=address)
        for _ in range(3):
            click(share.code, ip=address)  # the last ones are rate limited
    finally:
        root.removeHandler(handler)
        root.level = previous_level
    assert Click.objects.count() >= 5
    for model, field in _text_columns():
        hits = model._default_manager.filter(**{f"{field.name}__icontains": address})
        assert not hits.exists(), f"{model._meta.label}.{field.name} holds the raw address"
    assert address not in records.getvalue()


@pytest.mark.django_db
class TestWithRedis:
    def test_a_warm_click_runs_no_sql_and_one_redis_round_trip(
        self, with_redis, share, click, django_assert_num_queries, monkeypatch
    ):
        click(share.code)  # cold: reads the database and caches the link
        round_trips = []
        original = redis.connection.AbstractConnection.send_packed_command

        def counting(connection, command, check_health=True):
            round_trips.append(command)
            return original(connection, command, check_health)

        monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)
        with django_assert_num_queries(0):
            response = click(share.code, ip="198.51.100.60")
        assert response.status_code == 302
        assert response["Location"] == EXPECTED
        assert len(round_trips) == 1

    def test_clicks_reach_the_database_when_the_worker_drains_them(self, with_redis, share, click):
        click(share.code)
        click(share.code)
        click(share.code, ip="198.51.100.61")
        click(share.code, ua="Twitterbot/1.0")
        assert not Click.objects.exists()
        assert clicks_drain() == 4
        share.refresh_from_db()
        assert share.human_clicks == 2
        assert _kinds(share) == ["bot", "duplicate", "human", "human"]

    def test_redis_counts_the_sharer_bots_and_rate_limits_alike(
        self, with_redis, share, click, settings, client, alice
    ):
        from django.http import HttpResponse

        settings.SHARE_REDIRECT_RATE_LIMIT = 2
        out = HttpResponse()
        set_sharer_cookie(client.get("/healthz").wsgi_request, out, user_id=alice.pk)
        client.cookies[SHARER_COOKIE] = out.cookies[SHARER_COOKIE].value
        assert click(share.code).status_code == 302
        assert click(share.code).status_code == 302
        limited = click(share.code)
        assert limited.status_code == 429
        assert int(limited["Retry-After"]) >= 1
        clicks_drain()
        assert _kinds(share) == ["self", "self"]

    def test_a_cached_link_follows_the_posts_expiry(self, with_redis, share, post, click):
        click(share.code)
        Post.objects.filter(pk=post.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        # The cache still holds the old entry: the expiry time in it is checked on every click.
        clickstream.link_forget(share.code)
        assert click(share.code).status_code == 410

    def test_a_tampered_cache_entry_cannot_redirect_elsewhere(self, with_redis, share, click):
        click(share.code)
        conn = redis.Redis.from_url(with_redis)
        key = clickstream.LINK_KEY.format(code=share.code)
        conn.set(key, conn.get(key).replace(b"https://example.com", b"javascript://example.com"))
        response = click(share.code, ip="198.51.100.62")
        assert response.status_code == 404

    def test_no_raw_ip_reaches_redis(self, with_redis, share, click):
        address = "198.51.100.238"
        click(share.code, ip=address)
        conn = redis.Redis.from_url(with_redis)
        for key in conn.keys("*"):
            assert address.encode() not in key
            kind = conn.type(key)
            if kind == b"string":
                assert address.encode() not in conn.get(key)
            elif kind == b"stream":
                assert address.encode() not in repr(conn.xrange(key)).encode()

    def test_redirects_still_work_and_count_when_redis_is_down(self, redis_down, share, click):
        response = click(share.code)
        assert response.status_code == 302
        assert response["Location"] == EXPECTED
        share.refresh_from_db()
        assert share.human_clicks == 1
        # Backing off: the next click does not even try Redis.
        assert clickstream.client() is None
        click(share.code)
        share.refresh_from_db()
        assert share.human_clicks == 1
        assert _kinds(share) == ["duplicate", "human"]
