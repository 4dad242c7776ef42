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


# --- member post analytics, with the owner's connected account ----------------------------------------

SHARE = "urn:li:share:7270000000000000042"


def _access(scopes=("openid", "profile", "w_member_social", "r_member_postAnalytics"), token="MEMBER-TOKEN"):
    from connections.selectors import AccountAccess

    return AccountAccess(
        account_id=1, person_id=1, remote_account_id="AbC123", instance_url="", token=token, scopes=tuple(scopes)
    )


def _member_analytics(fake_api, counts):
    def answer(request):
        assert request.query["q"] == ["entity"] and request.query["aggregation"] == ["TOTAL"]
        query_type = request.query["queryType"][0]
        element = {"count": counts[query_type], "metricType": query_type, "targetEntity": {"share": SHARE}}
        return Reply(body={"paging": {"start": 0, "count": 10, "links": []}, "elements": [element]})

    fake_api.route("/rest/memberCreatorPostAnalytics", answer)


def test_with_member_analytics_a_post_is_read_with_its_owners_token(settings, provider, fake_api):
    provider.config.extra["member_analytics"] = True
    _member_analytics(fake_api, {"IMPRESSION": 1200, "REACTION": 31, "COMMENT": 4, "RESHARE": 2})
    result = provider.fetch([ref(SHARE)], accounts={ref(SHARE): _access()})[ref(SHARE)]
    assert result.metrics == Metrics(impressions=1200, likes=31, replies=4, reposts=2)
    asked = fake_api.requests_to("/rest/memberCreatorPostAnalytics")
    assert [r.query["queryType"][0] for r in asked] == ["IMPRESSION", "REACTION", "COMMENT", "RESHARE"]
    assert asked[0].raw_query == (
        "q=entity&entity=(share:urn%3Ali%3Ashare%3A7270000000000000042)&queryType=IMPRESSION&aggregation=TOTAL"
    )
    assert all(r.headers["authorization"] == "Bearer MEMBER-TOKEN" for r in asked)
    assert asked[0].headers["x-restli-protocol-version"] == "2.0.0"
    assert fake_api.requests_to(SOCIAL_METADATA) == []


@pytest.mark.parametrize(
    ("switched_on", "scopes", "urn"),
    [
        (False, ("w_member_social", "r_member_postAnalytics"), SHARE),  # the organisation's app lacks the product
        (True, ("w_member_social",), SHARE),  # the member's grant lacks the scope
        (True, ("w_member_social", "r_member_postAnalytics"), ACTIVITY),  # a pasted activity link
    ],
)
def test_otherwise_social_metadata_with_the_app_token_is_the_fallback(provider, fake_api, switched_on, scopes, urn):
    provider.config.extra["member_analytics"] = switched_on
    fake_api.route(SOCIAL_METADATA, Reply(body=fixture("linkedin_social_metadata.json")))
    provider.fetch([ref(urn)], accounts={ref(urn): _access(scopes)})
    assert fake_api.requests_to("/rest/memberCreatorPostAnalytics") == []
    assert fake_api.requests_to(SOCIAL_METADATA)[0].headers["authorization"] == "Bearer test-oauth-token"


def test_a_refused_member_token_is_the_members_problem_and_a_403_falls_back(provider, fake_api):
    provider.config.extra["member_analytics"] = True
    fake_api.route("/rest/memberCreatorPostAnalytics", Reply(status=401, body={"status": 401}))
    result = provider.fetch([ref(SHARE)], accounts={ref(SHARE): _access()})[ref(SHARE)]
    assert result.outcome is Outcome.UNAUTHORISED and "connected account's token" in result.detail

    fake_api.route("/rest/memberCreatorPostAnalytics", Reply(status=403, body={"status": 403}))
    fake_api.route(SOCIAL_METADATA, Reply(body={"results": {}, "errors": {}}))
    provider.fetch([ref(SHARE)], accounts={ref(SHARE): _access()})
    assert fake_api.requests_to(SOCIAL_METADATA)[0].headers["authorization"] == "Bearer test-oauth-token"
