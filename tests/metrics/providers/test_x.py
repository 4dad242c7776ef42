import random
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from metrics.providers import Metrics, Outcome, PostRef
from metrics.providers.base import InvalidPostUrl
from metrics.providers.x import XProvider
from tests.metrics.conftest import Reply, fixture

TWEETS = "/2/tweets"
LIVE, DELETED, PROTECTED = "1858462091736784915", "1858462091736784000", "1858462091736784001"


def ref(tweet_id=LIVE):
    return PostRef("x", tweet_id)


def echo_tweets(request):
    ids = request.query["ids"][0].split(",")
    data = [{"id": i, "text": "hi", "public_metrics": {"like_count": int(i[-3:]), "retweet_count": 0}} for i in ids]
    return Reply(body={"data": data}, headers={"x-rate-limit-remaining": "299"})


@pytest.fixture
def provider(settings, fake_api):
    settings.METRICS_X_API_URL = fake_api.url
    settings.METRICS_X_BEARER_TOKEN = "test-bearer"
    return XProvider.from_settings(rng=random.Random(1))


# --- parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"https://x.com/alice/status/{LIVE}",
        f"https://twitter.com/alice/status/{LIVE}/",
        f"https://mobile.twitter.com/alice/status/{LIVE}?s=20&t=abc",
        f"https://www.x.com/Alice_Archer/status/{LIVE}/photo/1",
        f"https://x.com/i/web/status/{LIVE}",
        f"https://x.com/i/status/{LIVE}",
    ],
)
def test_it_parses_status_urls(url):
    assert XProvider.from_settings().parse_url(url) == ref()


@pytest.mark.parametrize(
    "url",
    [
        f"https://nitter.example/alice/status/{LIVE}",
        "https://x.com/alice",
        "https://x.com/alice/status/",
        "https://x.com/alice/status/12ab",
        f"https://x.com/this_name_is_far_too_long/status/{LIVE}",
        f"ftp://x.com/alice/status/{LIVE}",
    ],
)
def test_it_explains_urls_it_cannot_use(url):
    with pytest.raises(InvalidPostUrl, match="X post"):
        XProvider.from_settings().parse_url(url)


# --- fetching ------------------------------------------------------------------------------------


def test_without_a_token_it_is_not_configured_and_asks_nothing(settings, fake_api):
    settings.METRICS_X_API_URL = fake_api.url
    settings.METRICS_X_BEARER_TOKEN = ""
    provider = XProvider.from_settings()
    assert not provider.is_configured()
    assert provider.fetch([ref()])[ref()].outcome is Outcome.NOT_CONFIGURED
    assert fake_api.requests == []


def test_it_reads_public_metrics_and_partial_errors(provider, fake_api):
    fake_api.route(TWEETS, Reply(body=fixture("x_tweets.json")))
    results = provider.fetch([ref(), ref(DELETED), ref(PROTECTED)])
    assert results[ref()].metrics == Metrics(likes=88, reposts=14, replies=6, quotes=3, impressions=4210)
    assert results[ref(DELETED)].outcome is Outcome.DELETED
    assert results[ref(PROTECTED)].outcome is Outcome.UNAVAILABLE
    request = fake_api.requests[0]
    assert request.headers["authorization"] == "Bearer test-bearer"
    assert request.query["tweet.fields"] == ["public_metrics,author_id,entities"]
    assert request.query["expansions"] == ["author_id"]
    assert request.query["ids"] == [f"{LIVE},{DELETED},{PROTECTED}"]


def test_150_ids_take_two_calls(provider, fake_api):
    fake_api.route(TWEETS, echo_tweets)
    refs = [ref(str(1858462091736700000 + n)) for n in range(150)]
    results = provider.fetch(refs)
    assert [len(r.query["ids"][0].split(",")) for r in fake_api.requests] == [100, 50]
    assert results[refs[149]].metrics.likes == 149
    assert results[refs[149]].metrics.impressions is None


def test_an_id_left_out_of_the_answer_is_retried_not_deleted(provider, fake_api):
    fake_api.route(TWEETS, Reply(body={"data": []}))
    assert provider.fetch([ref()])[ref()].outcome is Outcome.TRANSIENT


@pytest.mark.parametrize("status", [401, 403])
def test_a_rejected_token_is_a_credentials_problem(provider, fake_api, status):
    fake_api.route(TWEETS, Reply(status=status, body=fixture("x_unauthorized.json")))
    results = provider.fetch([ref(str(1858462091736700000 + n)) for n in range(150)])
    assert {r.outcome for r in results.values()} == {Outcome.UNAUTHORISED}
    assert len(fake_api.requests) == 1


def test_429_waits_for_the_epoch_reset(provider, fake_api):
    reset = int(time.time()) + 600
    headers = {"x-rate-limit-limit": "300", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)}
    fake_api.route(TWEETS, Reply(status=429, body=fixture("x_rate_limited.json"), headers=headers))
    results = provider.fetch([ref(str(1858462091736700000 + n)) for n in range(150)])
    assert {r.outcome for r in results.values()} == {Outcome.RATE_LIMITED}
    assert 595 < results[ref("1858462091736700000")].retry_after <= 602
    assert len(fake_api.requests) == 1


def test_429_with_an_http_date_retry_after(provider, fake_api):
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    fake_api.route(TWEETS, Reply(status=429, body=fixture("x_rate_limited.json"), headers={"Retry-After": when}))
    assert 85 < provider.fetch([ref()])[ref()].retry_after <= 92


def test_429_without_headers_backs_off(provider, fake_api):
    fake_api.route(TWEETS, Reply(status=429, body=fixture("x_rate_limited.json")))
    first = provider.fetch([ref()], attempt=0)[ref()].retry_after
    later = provider.fetch([ref()], attempt=5)[ref()].retry_after
    assert 15 <= first <= 30
    assert 480 <= later <= 960


def test_it_stops_when_the_window_is_used_up(provider, fake_api):
    reset = int(time.time()) + 300
    fake_api.route(
        TWEETS, Reply(body={"data": []}, headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": reset})
    )
    refs = [ref(str(1858462091736700000 + n)) for n in range(150)]
    results = provider.fetch(refs)
    assert results[refs[120]].outcome is Outcome.RATE_LIMITED
    assert len(fake_api.requests) == 1


def test_500_is_transient(provider, fake_api):
    fake_api.route(TWEETS, Reply(status=503, body={"title": "Service Unavailable"}))
    assert provider.fetch([ref()])[ref()].outcome is Outcome.TRANSIENT


def test_a_timeout_is_transient(provider, fake_api):
    provider.http.timeout = 0.3
    fake_api.route(TWEETS, Reply(body=fixture("x_tweets.json"), delay=1.0))
    assert provider.fetch([ref()])[ref()].outcome is Outcome.TRANSIENT


@pytest.mark.parametrize(
    "body",
    [
        "",
        "{",
        {"data": {"id": LIVE}},
        {"data": [{"id": LIVE}]},
        {"data": [{"id": LIVE, "public_metrics": {"like_count": 1.5}}]},
    ],
)
def test_malformed_answers_are_transient(provider, fake_api, body):
    fake_api.route(TWEETS, Reply(body=body))
    assert provider.fetch([ref()])[ref()].outcome is Outcome.TRANSIENT
