import random
from datetime import UTC, datetime

import pytest

from metrics.providers import Metrics, Outcome, PostRef
from metrics.providers.base import InvalidPostUrl
from metrics.providers.linkedin import LinkedInProvider
from metrics.providers.ratelimit import seconds_until_utc_midnight
from tests.metrics.conftest import Reply, fixture

SOCIAL_METADATA = "/rest/socialMetadata"
ACTIVITY = "urn:li:activity:7264960311447789568"
GONE = "urn:li:share:7264960311447789000"


def ref(urn=ACTIVITY):
    return PostRef("linkedin", urn)


@pytest.fixture
def provider(settings, fake_api):
    settings.METRICS_LINKEDIN_API_URL = fake_api.url
    settings.METRICS_LINKEDIN_TOKEN = "test-oauth-token"
    settings.METRICS_LINKEDIN_VERSION = "202610"
    return LinkedInProvider.from_settings(rng=random.Random(1))


def requested_urns(request) -> list[str]:
    raw = request.raw_query
    assert raw.startswith("ids=List(") and raw.endswith(")")
    from urllib.parse import unquote

    return [unquote(part) for part in raw[len("ids=List(") : -1].split(",")]


# --- parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "urn"),
    [
        (f"https://www.linkedin.com/feed/update/{ACTIVITY}/", ACTIVITY),
        (f"https://linkedin.com/feed/update/{ACTIVITY}", ACTIVITY),
        ("https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7264960311447789000/", GONE),
        (
            "https://www.linkedin.com/feed/update/urn:li:ugcPost:7264960311447789111?utm_source=share",
            "urn:li:ugcPost:7264960311447789111",
        ),
        (f"https://www.linkedin.com/embed/feed/update/{ACTIVITY}", ACTIVITY),
        (
            "https://www.linkedin.com/posts/alice-archer_zero-downtime-migrations-activity-7264960311447789568-Xb3k/"
            "?utm_source=share&utm_medium=member_desktop",
            ACTIVITY,
        ),
        (
            "https://uk.linkedin.com/posts/alice_launch-ugcPost-7264960311447789111-abcd",
            "urn:li:ugcPost:7264960311447789111",
        ),
    ],
)
def test_it_parses_post_urls_into_urns(url, urn):
    assert LinkedInProvider.from_settings().parse_url(url) == ref(urn)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://lnkd.in/eXaMpLe", "shortened link"),
        (f"https://linkedin.com.evil.example/feed/update/{ACTIVITY}", "looks like"),
        ("https://www.linkedin.com/in/alice-archer/", "single LinkedIn post"),
        ("https://www.linkedin.com/feed/update/urn:li:person:123/", "single LinkedIn post"),
        ("https://www.linkedin.com/posts/alice-archer_zero-downtime", "single LinkedIn post"),
    ],
)
def test_it_explains_urls_it_cannot_use(url, message):
    with pytest.raises(InvalidPostUrl, match=message):
        LinkedInProvider.from_settings().parse_url(url)


# --- fetching ------------------------------------------------------------------------------------


def test_without_a_token_it_is_not_configured(settings, fake_api):
    settings.METRICS_LINKEDIN_API_URL = fake_api.url
    settings.METRICS_LINKEDIN_TOKEN = ""
    assert LinkedInProvider.from_settings().fetch([ref()])[ref()].outcome is Outcome.NOT_CONFIGURED
    assert fake_api.requests == []


def test_it_reads_reactions_and_comments_with_the_versioned_headers(provider, fake_api):
    fake_api.route(SOCIAL_METADATA, Reply(body=fixture("linkedin_social_metadata.json")))
    results = provider.fetch([ref(), ref(GONE)])
    assert results[ref()].metrics == Metrics(likes=49, replies=9)
    assert results[ref(GONE)].outcome is Outcome.DELETED
    request = fake_api.requests[0]
    assert request.headers["authorization"] == "Bearer test-oauth-token"
    assert request.headers["linkedin-version"] == "202610"
    assert request.headers["x-restli-protocol-version"] == "2.0.0"
    assert (
        request.raw_query
        == "ids=List(urn%3Ali%3Aactivity%3A7264960311447789568,urn%3Ali%3Ashare%3A7264960311447789000)"
    )


def test_it_batches_urns(provider, fake_api):
    def echo(request):
        urns = requested_urns(request)
        entity = {"reactionSummaries": {}, "commentSummary": {"count": 0, "topLevelCount": 0}}
        return Reply(body={"results": dict.fromkeys(urns, entity), "statuses": {}, "errors": {}})

    fake_api.route(SOCIAL_METADATA, echo)
    refs = [ref(f"urn:li:activity:72649603114477{n:05d}") for n in range(45)]
    results = provider.fetch(refs)
    assert [len(requested_urns(r)) for r in fake_api.requests] == [20, 20, 5]
    assert results[refs[44]].metrics == Metrics(likes=0, replies=0)


def test_a_per_post_403_is_a_credentials_problem(provider, fake_api):
    body = {
        "results": {},
        "statuses": {ACTIVITY: 403},
        "errors": {ACTIVITY: {"status": 403, "message": "Not enough permissions"}},
    }
    fake_api.route(SOCIAL_METADATA, Reply(body=body))
    assert provider.fetch([ref()])[ref()].outcome is Outcome.UNAUTHORISED


def test_401_is_a_credentials_problem(provider, fake_api):
    fake_api.route(SOCIAL_METADATA, Reply(status=401, body=fixture("linkedin_unauthorized.json")))
    assert provider.fetch([ref()])[ref()].outcome is Outcome.UNAUTHORISED


def test_a_daily_429_without_retry_after_waits_for_midnight_utc(provider, fake_api):
    fake_api.route(SOCIAL_METADATA, Reply(status=429, body=fixture("linkedin_rate_limited.json")))
    refs = [ref(f"urn:li:activity:72649603114477{n:05d}") for n in range(45)]
    results = provider.fetch(refs)
    expected = seconds_until_utc_midnight(datetime.now(UTC)) + 60
    assert {r.outcome for r in results.values()} == {Outcome.RATE_LIMITED}
    assert results[refs[0]].retry_after == pytest.approx(expected, abs=5)
    assert len(fake_api.requests) == 1


def test_a_429_with_retry_after_uses_it(provider, fake_api):
    fake_api.route(
        SOCIAL_METADATA, Reply(status=429, body=fixture("linkedin_rate_limited.json"), headers={"Retry-After": "3600"})
    )
    assert provider.fetch([ref()])[ref()].retry_after == 3601


def test_500_is_transient(provider, fake_api):
    fake_api.route(SOCIAL_METADATA, Reply(status=500, body={"status": 500, "message": "Internal Server Error"}))
    assert provider.fetch([ref()])[ref()].outcome is Outcome.TRANSIENT


def test_a_timeout_is_transient(provider, fake_api):
    provider.http.timeout = 0.3
    fake_api.route(SOCIAL_METADATA, Reply(body=fixture("linkedin_social_metadata.json"), delay=1.0))
    assert provider.fetch([ref()])[ref()].outcome is Outcome.TRANSIENT


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        {"results": []},
        {"results": {ACTIVITY: {"reactionSummaries": {"LIKE": {"count": "3"}}, "commentSummary": {}}}},
        {"results": {ACTIVITY: {"commentSummary": {"count": 1}}}},
    ],
)
def test_malformed_answers_are_transient(provider, fake_api, body):
    fake_api.route(SOCIAL_METADATA, Reply(body=body))
    assert provider.fetch([ref()])[ref()].outcome is Outcome.TRANSIENT
