"""Threads: insights read with the author's connected account, against a local Graph API."""

import random

import pytest

from connections.selectors import AccountAccess
from metrics.providers import Metrics, Outcome, PostRef, parse_post_url
from metrics.providers.threads import ThreadsProvider
from tests.metrics.conftest import Reply, fixture

USER_ID = "17841400000000001"
MEDIA = "18050206876707110"
INSIGHTS = f"/{MEDIA}/insights"
USER_THREADS = f"/{USER_ID}/threads"


def access(token="ALICE-THREADS-TOKEN", account_id=1):
    return AccountAccess(account_id=account_id, person_id=1, remote_account_id=USER_ID, instance_url="", token=token)


@pytest.fixture
def provider(settings, fake_api):
    settings.METRICS_THREADS_API_URL = fake_api.url
    return ThreadsProvider.from_settings(rng=random.Random(1))


def test_a_pasted_permalink_names_the_shortcode():
    assert parse_post_url("https://www.threads.com/@alice.archer/post/C8aBcDeFgHi") == PostRef("threads", "C8aBcDeFgHi")


def test_it_reads_views_likes_replies_reposts_and_quotes_with_the_authors_token(provider, fake_api):
    fake_api.route(INSIGHTS, Reply(body=fixture("threads_insights.json")))
    ref = PostRef("threads", MEDIA)
    result = provider.fetch([ref], accounts={ref: access()})[ref]
    assert result.outcome is Outcome.OK
    assert result.metrics == Metrics(impressions=1520, likes=48, replies=7, reposts=5, quotes=2)
    (request,) = fake_api.requests_to(INSIGHTS)
    assert request.query == {"metric": ["views,likes,replies,reposts,quotes"]}
    assert request.headers["authorization"] == "Bearer ALICE-THREADS-TOKEN"
    assert "TOKEN" not in request.raw_query, "the token never travels in a URL"
    assert result.facts.author == frozenset({USER_ID})


def test_a_shortcode_is_found_among_the_accounts_posts_and_its_media_id_kept(provider, fake_api):
    fake_api.route(USER_THREADS, Reply(body=fixture("threads_user_threads.json")))
    fake_api.route(INSIGHTS, Reply(body=fixture("threads_insights.json")))
    ref = PostRef("threads", "C8aBcDeFgHi")
    result = provider.fetch([ref], accounts={ref: access()})[ref]
    assert result.outcome is Outcome.OK and result.metrics.likes == 48
    assert result.resolved_ref == PostRef("threads", MEDIA)
    (listing,) = fake_api.requests_to(USER_THREADS)
    assert listing.query == {"fields": ["id,shortcode"], "limit": ["100"]}


def test_it_pages_through_the_accounts_posts_by_cursor(provider, fake_api):
    pages = {
        "": {"data": [{"id": "1", "shortcode": "AAAAAAA"}], "paging": {"cursors": {"after": "P2"}, "next": "x"}},
        "P2": fixture("threads_user_threads.json"),
    }
    fake_api.route(USER_THREADS, lambda request: Reply(body=pages[request.query.get("after", [""])[0]]))
    fake_api.route(INSIGHTS, Reply(body=fixture("threads_insights.json")))
    ref = PostRef("threads", "C8aBcDeFgHi")
    assert provider.fetch([ref], accounts={ref: access()})[ref].ok
    assert len(fake_api.requests_to(USER_THREADS)) == 2


def test_a_post_not_among_the_accounts_own_is_unavailable(provider, fake_api):
    fake_api.route(USER_THREADS, Reply(body=fixture("threads_user_threads.json")))
    ref = PostRef("threads", "SomeoneElse1")
    result = provider.fetch([ref], accounts={ref: access()})[ref]
    assert result.outcome is Outcome.UNAVAILABLE and "not among your connected" in result.detail
    assert fake_api.requests_to(INSIGHTS) == []


def test_without_a_connected_account_nothing_is_asked(provider, fake_api):
    ref = PostRef("threads", MEDIA)
    result = provider.fetch([ref])[ref]
    assert result.outcome is Outcome.UNAVAILABLE and "connect your Threads account" in result.detail
    assert fake_api.requests == []


def test_an_expired_token_is_the_accounts_problem(provider, fake_api):
    fake_api.route(INSIGHTS, Reply(status=401, body=fixture("threads_token_expired.json")))
    ref = PostRef("threads", MEDIA)
    result = provider.fetch([ref], accounts={ref: access()})[ref]
    assert result.outcome is Outcome.UNAUTHORISED
    assert "Session has expired" not in result.detail and "token" in result.detail


def test_a_graph_rate_limit_in_a_400_stops_the_batch(provider, fake_api):
    fake_api.route(INSIGHTS, Reply(status=400, body=fixture("threads_rate_limited.json")))
    first, second = PostRef("threads", MEDIA), PostRef("threads", "18050206876707111")
    results = provider.fetch([first, second], accounts={first: access(), second: access(account_id=2)})
    assert results[first].outcome is Outcome.RATE_LIMITED and results[first].retry_after >= 1
    assert results[second].outcome is Outcome.RATE_LIMITED and results[second].detail.startswith("Not asked")
    assert len(fake_api.requests) == 1


def test_an_unknown_media_id_is_unavailable(provider, fake_api):
    fake_api.route(INSIGHTS, Reply(status=400, body=fixture("threads_unknown_media.json")))
    ref = PostRef("threads", MEDIA)
    assert provider.fetch([ref], accounts={ref: access()})[ref].outcome is Outcome.UNAVAILABLE


def test_a_server_error_and_a_malformed_answer_are_transient(provider, fake_api):
    ref = PostRef("threads", MEDIA)
    fake_api.route(
        INSIGHTS, Reply(status=500, body={"error": {"code": 2, "message": "Service temporarily unavailable"}})
    )
    assert provider.fetch([ref], accounts={ref: access()})[ref].outcome is Outcome.TRANSIENT
    fake_api.route(INSIGHTS, Reply(body={"data": [{"name": "likes", "values": [{"value": -1}]}]}))
    assert provider.fetch([ref], accounts={ref: access()})[ref].outcome is Outcome.TRANSIENT


def test_a_metric_given_as_a_total_value_is_read_too(provider, fake_api):
    fake_api.route(
        INSIGHTS, Reply(body={"data": [{"name": "views", "period": "lifetime", "total_value": {"value": 9}}]})
    )
    ref = PostRef("threads", MEDIA)
    assert provider.fetch([ref], accounts={ref: access()})[ref].metrics == Metrics(impressions=9)
