"""The collector against local fake Bluesky and Mastodon servers: dedupe, daily counts, employees, errors."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from listening.models import Mention, MentionDay, Source, Term
from listening.services import mentions_collect, term_add, term_remove
from sharing.models import Share
from tests.metrics.conftest import Reply

from .conftest import make_term
from .fake_networks import INSTANCES

pytestmark = pytest.mark.django_db

TAG_HTML = (
    '<p>Shipped! <a href="https://mastodon.example/tags/launchweek" class="mention hashtag" rel="tag">'
    "#<span>LaunchWeek</span></a></p>"
)


def _days(term):
    return {(d.network, d.day): (d.mentions, d.by_employees) for d in MentionDay.objects.filter(term=term)}


class TestTerms:
    def test_comms_add_a_hashtag_and_a_bluesky_handle(self, casey):
        assert term_add(actor=casey, kind="hashtag", value="LaunchWeek").value == "#LaunchWeek"
        assert term_add(actor=casey, kind="handle", value="@Acme.bsky.social").value == "acme.bsky.social"

    @pytest.mark.parametrize(
        ("kind", "value", "message"),
        [
            ("hashtag", "#launch week", "not a hashtag"),
            ("hashtag", "", "at least one letter"),
            ("handle", "@acme@mastodon.social", "Mastodon shows mentions of an account only"),
            ("handle", "not a handle", "Bluesky"),
        ],
    )
    def test_it_says_what_is_wrong_and_saves_nothing(self, casey, kind, value, message):
        with pytest.raises(ValidationError) as caught:
            term_add(actor=casey, kind=kind, value=value)
        assert message in " ".join(caught.value.message_dict["value"])
        assert not Term.objects.exists()

    def test_the_same_hashtag_twice_is_refused_whatever_its_case(self, casey, launch_week):
        with pytest.raises(ValidationError, match="already listen for #launchweek"):
            term_add(actor=casey, kind="hashtag", value="#launchweek")

    def test_only_comms_choose_what_we_listen_for(self, alice, harper):
        for person in (alice, harper):
            with pytest.raises(PermissionDenied):
                term_add(actor=person, kind="hashtag", value="#LaunchWeek")

    def test_removing_a_term_keeps_mentions_another_term_found(self, casey, fake_networks):
        now = timezone.now()
        fake_networks.skeet(handle="robin.bsky.social", text="#LaunchWeek and #Acme", when=now)
        fake_networks.skeet(handle="robin.bsky.social", text="only #LaunchWeek", when=now)
        launch, acme = make_term(casey), make_term(casey, "#Acme")
        mentions_collect(term=launch)
        mentions_collect(term=acme)
        term_remove(actor=casey, term=launch)
        assert Mention.objects.count() == 1 and not MentionDay.objects.filter(term_id=launch.pk).exists()


class TestCollect:
    def test_it_stores_each_public_post_once_however_many_runs_and_instances_find_it(
        self, casey, launch_week, fake_networks
    ):
        now = timezone.now()
        fake_networks.skeet(handle="robin.bsky.social", text="Loving #LaunchWeek", when=now - timedelta(hours=2))
        fake_networks.skeet(handle="jo.bsky.social", text="nothing to see here", when=now)
        # One status federated to both instances: two ids, one uri.
        fake_networks.toot(username="sam", home="fosstodon.example", content=TAG_HTML, when=now, on=INSTANCES)
        first = mentions_collect(term=launch_week, now=now)
        assert first.new == 2 and first.errors == []
        again = mentions_collect(term=launch_week, now=now)
        assert again.new == 0
        assert sorted(Mention.objects.values_list("network", "author_handle")) == [
            ("bluesky", "robin.bsky.social"),
            ("mastodon", "@sam@fosstodon.example"),
        ]
        assert Source.objects.filter(last_success_at=now).count() == 3  # Bluesky and the two instances

    def test_it_counts_each_day_per_network_and_recounting_changes_nothing(self, casey, launch_week, fake_networks):
        now = timezone.now()
        yesterday = now - timedelta(days=1)
        for when in (now, now, yesterday):
            fake_networks.skeet(handle="robin.bsky.social", text="#launchweek!", when=when)
        fake_networks.toot(username="ann", home="mastodon.example", content=TAG_HTML, when=yesterday)
        mentions_collect(term=launch_week, now=now)
        today_, yday = timezone.localdate(now), timezone.localdate(yesterday)
        expected = {("bluesky", today_): (2, 0), ("bluesky", yday): (1, 0), ("mastodon", yday): (1, 0)}
        if today_ == yday:  # pragma: no cover - only at midnight
            pytest.skip("the two moments fell on one local day")
        assert _days(launch_week) == expected
        mentions_collect(term=launch_week, now=now)
        assert _days(launch_week) == expected

    def test_it_counts_the_posts_employees_wrote_from_declared_and_used_handles(
        self, casey, alice, bob, harper, launch_week, fake_networks
    ):
        now = timezone.now()
        alice.bluesky_handle = "alice.bsky.social"
        alice.save()
        bob.mastodon_handle = "@bob@fosstodon.example"
        bob.save()
        # Harper declared nothing, but pasted back a Bluesky post she published as harper-hr.bsky.social.
        from tests.metrics.conftest import make_post

        Share.objects.create(
            user=harper,
            post=make_post(),
            network="bluesky",
            code="harpercode1",
            last_shared_at=now,
            published_url="https://bsky.app/profile/harper-hr.bsky.social/post/3kabc",
            published_author="harper-hr.bsky.social",
            published_post_id="at://harper-hr.bsky.social/app.bsky.feed.post/3kabc",
        )
        fake_networks.skeet(handle="alice.bsky.social", text="Proud of #LaunchWeek", when=now)
        fake_networks.skeet(handle="harper-hr.bsky.social", text="#LaunchWeek from HR", when=now)
        fake_networks.skeet(handle="robin.bsky.social", text="#LaunchWeek looks good", when=now)
        fake_networks.toot(username="bob", home="fosstodon.example", content=TAG_HTML, when=now)
        mentions_collect(term=launch_week, now=now)
        by = dict(Mention.objects.values_list("author_handle", "employee__username"))
        assert by == {
            "alice.bsky.social": "alice",
            "harper-hr.bsky.social": "harper",
            "robin.bsky.social": None,
            "@bob@fosstodon.example": "bob",
        }
        day = timezone.localdate(now)
        assert _days(launch_week) == {("bluesky", day): (3, 2), ("mastodon", day): (1, 1)}

    def test_a_handle_term_finds_posts_mentioning_it_on_bluesky_only(self, casey, fake_networks):
        term = make_term(casey, "acme.bsky.social", kind=Term.Kind.HANDLE)
        fake_networks.skeet(handle="robin.bsky.social", text="Thanks @acme.bsky.social!", when=timezone.now())
        fake_networks.skeet(handle="robin.bsky.social", text="acme without the at", when=timezone.now())
        assert mentions_collect(term=term).new == 1
        assert not any("/timelines/tag/" in r.path for r in fake_networks.api.requests)

    def test_it_reads_older_pages_until_it_meets_a_post_it_has(self, casey, launch_week, fake_networks, settings):
        settings.LISTENING_MAX_PAGES = 10
        now = timezone.now()
        for minutes in range(130):
            fake_networks.skeet(handle="robin.bsky.social", text="#LaunchWeek", when=now - timedelta(minutes=minutes))
        assert mentions_collect(term=launch_week, now=now).new == 130
        assert len(fake_networks.api.requests_to("/xrpc/app.bsky.feed.searchPosts")) == 2
        fake_networks.skeet(handle="robin.bsky.social", text="#LaunchWeek again", when=now + timedelta(minutes=1))
        assert mentions_collect(term=launch_week, now=now).new == 1
        assert (
            len(fake_networks.api.requests_to("/xrpc/app.bsky.feed.searchPosts")) == 3
        )  # the first page had a known post

    def test_it_pages_a_mastodon_tag_timeline_by_max_id(self, casey, launch_week, fake_networks, settings):
        settings.LISTENING_MAX_PAGES = 10
        settings.LISTENING_BLUESKY_SEARCH_URL = ""
        now = timezone.now()
        for minutes in range(50):
            fake_networks.toot(
                username="ann", home="mastodon.example", content=TAG_HTML, when=now - timedelta(minutes=minutes)
            )
        assert mentions_collect(term=launch_week, now=now).new == 50
        asked = [r for r in fake_networks.api.requests if "/timelines/tag/" in r.path]
        assert [r.query.get("max_id") is not None for r in asked] == [False, True, False]  # 40, 10; then the other
        assert not any("searchPosts" in r.path for r in fake_networks.api.requests)  # Bluesky switched off

    def test_the_text_is_sanitised_before_it_is_stored(self, casey, launch_week, fake_networks):
        now = timezone.now()
        fake_networks.toot(
            username="mallory",
            home="mastodon.example",
            content='<p onclick="x()">#LaunchWeek <script>alert(1)</script><a href="javascript:alert(2)">x</a>'
            '<img src=x onerror=alert(3)><a href="https://example.com/">ok</a></p>',
            when=now,
        )
        fake_networks.skeet(handle="eve.bsky.social", text="<b>#LaunchWeek</b> <script>", when=now)
        mentions_collect(term=launch_week, now=now)
        stored = " ".join(Mention.objects.values_list("text_html", flat=True))
        for bad in ("<script", "onclick", "javascript:", "<img", "onerror", "<b>"):
            assert bad not in stored
        assert 'href="https://example.com/"' in stored and "&lt;b&gt;#LaunchWeek&lt;/b&gt;" in stored


class TestNetworkErrors:
    @pytest.mark.parametrize(
        ("reply", "error"),
        [
            (Reply(status=500, body={"error": "InternalServerError"}), "Bluesky answered HTTP 500"),
            (Reply(status=403, body={"error": "Forbidden"}), "Bluesky answered HTTP 403"),
            (Reply(status=200, body="<html>maintenance</html>"), "not JSON"),
            (Reply(status=200, body={"posts": [], "cursor": ""}, delay=1.5), "Timed out"),
        ],
    )
    def test_a_failing_network_is_recorded_and_the_others_still_collected(
        self, casey, launch_week, fake_networks, settings, reply, error
    ):
        settings.METRICS_HTTP_TIMEOUT = 1
        now = timezone.now()
        fake_networks.toot(username="ann", home="mastodon.example", content=TAG_HTML, when=now)
        fake_networks.fail("bluesky", reply)
        result = mentions_collect(term=launch_week, now=now)
        assert result.new == 1 and len(result.errors) == 1 and error in result.errors[0]
        bluesky = Source.objects.get(network="bluesky")
        assert error in bluesky.last_error and bluesky.last_failure_at == now and not bluesky.working
        assert Source.objects.get(network="mastodon", instance="mastodon.example").working

    def test_after_a_429_the_source_waits_as_told_then_is_asked_again(self, casey, launch_week, fake_networks):
        now = timezone.now()
        fake_networks.skeet(handle="robin.bsky.social", text="#LaunchWeek", when=now)
        fake_networks.fail(
            "mastodon.example", Reply(status=429, headers={"Retry-After": "300"}, body={"error": "Too many requests"})
        )
        fake_networks.fail(
            "bluesky", Reply(status=429, headers={"Retry-After": "120"}, body={"error": "RateLimitExceeded"})
        )
        result = mentions_collect(term=launch_week, now=now)
        assert result.new == 0 and len(result.errors) == 2
        paused = Source.objects.get(network="bluesky").paused_until
        assert now + timedelta(seconds=120) <= paused <= now + timedelta(seconds=130)
        fake_networks.heal("bluesky")
        asked = len(fake_networks.api.requests_to("/xrpc/app.bsky.feed.searchPosts"))
        mentions_collect(term=launch_week, now=now + timedelta(seconds=60))
        assert len(fake_networks.api.requests_to("/xrpc/app.bsky.feed.searchPosts")) == asked  # still paused
        assert mentions_collect(term=launch_week, now=now + timedelta(seconds=200)).new == 1
        assert Source.objects.get(network="bluesky").paused_until is None

    def test_a_network_nobody_runs_is_an_error_not_a_crash(self, casey, launch_week, settings):
        settings.LISTENING_BLUESKY_SEARCH_URL = "http://127.0.0.1:9"
        settings.LISTENING_MASTODON_INSTANCES = {}
        result = mentions_collect(term=launch_week)
        assert result.new == 0 and "Connection failed" in result.errors[0]

    def test_malformed_posts_are_skipped_not_stored_half_read(self, casey, launch_week, fake_networks):
        fake_networks.skeet(handle="robin.bsky.social", text="#LaunchWeek fine", when=timezone.now())
        good = fake_networks.bluesky[0]
        broken = [
            {"uri": "at://x/app.bsky.feed.post/1", "record": {"text": "#LaunchWeek"}},  # no author, no time
            {**good, "uri": "https://not-an-at-uri"},
            {**good, "uri": good["uri"] + "2", "record": {"text": "x", "createdAt": "yesterday"}, "indexedAt": None},
            "#LaunchWeek",
        ]
        fake_networks.fail("bluesky", Reply(body={"posts": [good, *broken]}))
        fake_networks.fail("mastodon.example", Reply(body=[{"id": "5", "content": "#LaunchWeek"}, 7, None]))
        result = mentions_collect(term=launch_week)
        assert result.new == 1 and result.errors == []
        assert list(Mention.objects.values_list("remote_id", flat=True)) == [good["uri"]]
