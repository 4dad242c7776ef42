"""The monitor and the terms page: what comms see, what they can change, and what it costs."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from listening.models import Mention, Term
from listening.parsing import RemoteMention
from listening.services import mentions_store
from tests.factories import UserFactory

from .conftest import make_term

pytestmark = pytest.mark.django_db


def _mentions(term, count, *, employee=None, now=None):
    now = now or timezone.now()
    mentions = [
        RemoteMention(
            network=("bluesky", "mastodon")[n % 2],
            remote_id=f"at://did:plc:x/app.bsky.feed.post/{term.pk}-{n}",
            url=f"https://bsky.app/profile/p{n}.bsky.social/post/{n}",
            author_handle=f"p{n}.bsky.social",
            author_name=f"Person {n}",
            author_keys=frozenset({f"p{n}.bsky.social"} | ({employee} if employee and n % 3 == 0 else set())),
            text_html=f"<p>Post {n} {term.value}</p>",
            posted_at=now - timedelta(days=n % 10, minutes=n),
        )
        for n in range(count)
    ]
    mentions_store(term=term, mentions=mentions, now=now)


class TestMonitor:
    def test_it_shows_the_chart_the_counts_the_wall_and_who_is_an_employee(self, client, casey, alice):
        alice.bluesky_handle = "alice.bsky.social"
        alice.save()
        term = make_term(casey)
        _mentions(term, 6, employee="alice.bsky.social")
        client.force_login(casey)
        page = client.get(reverse("listening:monitor")).content.decode()
        assert 'aria-label="Mentions per day"' in page and 'class="mentions-employees"' in page
        assert "Employee: Alice Archer" in page and "<p>Post 5 #LaunchWeek</p>" in page
        # 6 mentions, 2 of them (0 and 3) by Alice: a third.
        assert ">6<" in page and ">2<" in page and ">33%<" in page

    def test_without_terms_it_says_what_to_do(self, client, casey):
        client.force_login(casey)
        page = client.get(reverse("listening:monitor")).content.decode()
        assert "Nothing to listen for yet" in page and reverse("listening:settings") in page

    def test_the_wall_never_renders_markup_that_was_not_sanitised(self, client, casey, fake_networks):
        from listening.services import mentions_collect

        term = make_term(casey)
        fake_networks.skeet(handle="eve.bsky.social", text="<script>alert(1)</script> #LaunchWeek", when=timezone.now())
        mentions_collect(term=term)
        client.force_login(casey)
        page = client.get(reverse("listening:monitor")).content.decode()
        assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; #LaunchWeek" in page

    @pytest.mark.parametrize("count", [3, 40])
    def test_it_costs_the_same_queries_however_many_mentions(self, client, django_assert_num_queries, casey, count):
        for n in range(3):
            UserFactory(username=f"author{n}", bluesky_handle=f"p{n * 3}.bsky.social")
        term = make_term(casey)
        _mentions(term, count)
        _mentions(make_term(casey, "#Acme"), count // 2)
        Mention.objects.filter(author_handle="p0.bsky.social").update(employee=casey)
        client.force_login(casey)
        # session, user, permissions (user and group: 2), mentions per day, per term and network, whether any
        # term exists, the nav badge (library new count), the wall (with its employees), the sources
        # +1: the organisation's branding that every page's header reads.
        with django_assert_num_queries(11):
            assert client.get(reverse("listening:monitor")).status_code == 200

    def test_it_is_for_comms_only(self, client, alice):
        client.force_login(alice)
        assert client.get(reverse("listening:monitor")).status_code == 403


class TestTermSettings:
    def test_comms_add_a_hashtag_and_see_it_listed(self, client, casey):
        client.force_login(casey)
        response = client.post(reverse("listening:settings"), {"kind": "hashtag", "value": "LaunchWeek"}, follow=True)
        assert "Listening for #LaunchWeek from the next run." in response.content.decode()
        assert list(Term.objects.values_list("value", flat=True)) == ["#LaunchWeek"]

    def test_a_bad_term_is_refused_next_to_the_field_and_nothing_is_saved(self, client, casey):
        client.force_login(casey)
        response = client.post(reverse("listening:settings"), {"kind": "handle", "value": "@acme@mastodon.social"})
        assert response.status_code == 400
        assert "Mastodon shows mentions of an account only" in response.content.decode()
        assert not Term.objects.exists()

    def test_comms_stop_listening(self, client, casey):
        term = make_term(casey)
        _mentions(term, 3)
        client.force_login(casey)
        page = client.get(reverse("listening:settings")).content.decode()
        assert 'data-confirm="Stop listening for #LaunchWeek? Its daily counts are deleted."' in page
        # A data table: on a phone each term is a card whose cells say which column they are.
        assert '<th data-label="Listening for" scope="row">#LaunchWeek</th>' in page
        assert '<td data-label="Mentions found" class="num">3</td>' in page
        response = client.post(reverse("listening:term_remove", args=[term.pk]), follow=True)
        assert "No longer listening for #LaunchWeek" in response.content.decode()
        assert not Term.objects.exists() and not Mention.objects.exists()

    @pytest.mark.parametrize("count", [1, 6])
    def test_the_terms_page_costs_the_same_queries_however_many(self, client, django_assert_num_queries, casey, count):
        for n in range(count):
            _mentions(make_term(casey, f"#Tag{n}"), 2)
        client.force_login(casey)
        # session, user, permissions (2), nav badge, the terms with their mention counts; +1: the branding
        with django_assert_num_queries(7):
            assert client.get(reverse("listening:settings")).status_code == 200
