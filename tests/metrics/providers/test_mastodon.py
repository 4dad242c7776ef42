import random
import socket
from datetime import UTC, datetime, timedelta

import pytest

from metrics.providers import Metrics, Outcome, PostRef
from metrics.providers.base import InvalidPostUrl
from metrics.providers.mastodon import MastodonProvider
from tests.metrics.conftest import Reply, fixture

STATUS_ID = "113409218826377651"


def status(status_id=STATUS_ID, **counts):
    body = fixture("mastodon_status.json")
    body["id"] = status_id
    body.update(counts)
    return body


@pytest.fixture
def provider(settings, fake_api, other_fake_api):
    settings.METRICS_HTTP_TIMEOUT = 2
    settings.METRICS_MASTODON_INSTANCE_URLS = {
        "mastodon.example": fake_api.url,
        "fosstodon.example": other_fake_api.url,
    }
    return MastodonProvider.from_settings(rng=random.Random(1))


def ref(status_id=STATUS_ID, instance="mastodon.example"):
    return PostRef("mastodon", status_id, instance)


# --- parsing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://mastodon.example/@alice/113409218826377651",
        "https://Mastodon.Example/@alice/113409218826377651/",
        "https://mastodon.example/@alice/113409218826377651?utm_source=share#top",
        "https://mastodon.example/@alice@mastodon.example/113409218826377651",
        "https://mastodon.example/users/alice/statuses/113409218826377651",
        "https://mastodon.example/web/@alice/113409218826377651",
        "https://mastodon.example/web/statuses/113409218826377651",
        "  https://mastodon.example/@alice/113409218826377651  ",
    ],
)
def test_it_parses_status_urls(url):
    assert MastodonProvider.from_settings().parse_url(url) == ref()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://mastodon.social/@alice@fosstodon.example/113409218826377651", "your own server"),
        ("http://mastodon.example/@alice/113409218826377651", "https://"),
        ("https://x.com/alice/status/1858462091736784915", "X link"),
        ("https://bsky.app/profile/alice.bsky.social/post/3lb2tq7xhrc2k", "Bluesky link"),
        ("https://www.linkedin.com/feed/update/urn:li:activity:1/", "LinkedIn link"),
        ("https://127.0.0.1/@alice/1", "names your server"),
        ("https://localhost/@alice/1", "names your server"),
        ("https://mastodon.example:8443/@alice/1", "unusual address"),
        ("https://user:pw@mastodon.example/@alice/1", "unusual address"),
        ("https://mastodon.example/@alice", "single Mastodon post"),
        ("https://mastodon.example/@alice/113409218826377651/reblogs", "single Mastodon post"),
        ("https://mastodon.example/@alice/not-a-number", "single Mastodon post"),
        ("", "https://"),
    ],
)
def test_it_explains_urls_it_cannot_use(url, message):
    with pytest.raises(InvalidPostUrl, match=message):
        MastodonProvider.from_settings().parse_url(url)


# --- fetching -----------------------------------------------------------------------------------


def test_it_reads_the_counts_of_a_public_status(provider, fake_api):
    fake_api.route(f"/api/v1/statuses/{STATUS_ID}", Reply(body=status()))
    result = provider.fetch([ref()])[ref()]
    assert result.outcome is Outcome.OK
    assert result.metrics == Metrics(likes=31, reposts=12, replies=4, quotes=2, impressions=None)
    assert "authorization" not in fake_api.requests[0].headers


def test_quotes_are_unknown_on_servers_without_them(provider, fake_api):
    body = status()
    del body["quotes_count"]
    fake_api.route(f"/api/v1/statuses/{STATUS_ID}", Reply(body=body))
    assert provider.fetch([ref()])[ref()].metrics.quotes is None


def test_it_batches_per_instance(provider, fake_api, other_fake_api):
    fake_api.route("/api/v1/statuses/1", Reply(body=status("1", favourites_count=1)))
    fake_api.route("/api/v1/statuses/2", Reply(body=status("2", favourites_count=2)))
    other_fake_api.route("/api/v1/statuses/1", Reply(body=status("1", favourites_count=100)))
    refs = [ref("1"), ref("2"), ref("1", "fosstodon.example"), ref("1")]
    results = provider.fetch(refs)
    assert len(results) == 3
    assert results[ref("1")].metrics.likes == 1
    assert results[ref("2")].metrics.likes == 2
    assert results[ref("1", "fosstodon.example")].metrics.likes == 100
    assert len(fake_api.requests) == 2
    assert len(other_fake_api.requests) == 1


def test_a_missing_status_is_deleted_and_the_rest_still_counted(provider, fake_api):
    fake_api.route("/api/v1/statuses/1", Reply(status=404, body=fixture("mastodon_not_found.json")))
    fake_api.route("/api/v1/statuses/2", Reply(body=status("2")))
    results = provider.fetch([ref("1"), ref("2")])
    assert results[ref("1")].outcome is Outcome.DELETED
    assert results[ref("2")].outcome is Outcome.OK


def test_gone_is_deleted_too(provider, fake_api):
    fake_api.route("/api/v1/statuses/1", Reply(status=410, body=fixture("mastodon_not_found.json")))
    assert provider.fetch([ref("1")])[ref("1")].outcome is Outcome.DELETED


def test_an_instance_demanding_authentication_stops_that_instance_only(provider, fake_api, other_fake_api):
    fake_api.route("/api/v1/statuses/1", Reply(status=401, body=fixture("mastodon_unauthorized.json")))
    other_fake_api.route("/api/v1/statuses/1", Reply(body=status("1")))
    results = provider.fetch([ref("1"), ref("2"), ref("1", "fosstodon.example")])
    assert results[ref("1")].outcome is Outcome.UNAUTHORISED
    assert results[ref("2")].outcome is Outcome.UNAUTHORISED
    assert results[ref("1", "fosstodon.example")].outcome is Outcome.OK
    assert len(fake_api.requests) == 1


def test_a_429_carries_the_iso_reset_and_stops_the_instance(provider, fake_api):
    reset = (datetime.now(UTC) + timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fake_api.route(
        "/api/v1/statuses/1",
        Reply(
            status=429,
            body=fixture("mastodon_rate_limited.json"),
            headers={"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
        ),
    )
    results = provider.fetch([ref("1"), ref("2")])
    assert {r.outcome for r in results.values()} == {Outcome.RATE_LIMITED}
    assert 170 < results[ref("1")].retry_after <= 182
    assert len(fake_api.requests) == 1


def test_a_429_with_retry_after_seconds(provider, fake_api):
    fake_api.route("/api/v1/statuses/1", Reply(status=429, body={}, headers={"Retry-After": "42"}))
    assert provider.fetch([ref("1")])[ref("1")].retry_after == 43


def test_it_stops_before_a_429_when_the_window_is_used_up(provider, fake_api):
    reset = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    exhausted = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
    fake_api.route("/api/v1/statuses/1", Reply(body=status("1"), headers=exhausted))
    results = provider.fetch([ref("1"), ref("2")])
    assert results[ref("1")].outcome is Outcome.OK
    assert results[ref("2")].outcome is Outcome.RATE_LIMITED
    assert 50 < results[ref("2")].retry_after <= 62
    assert len(fake_api.requests) == 1


def test_a_server_error_is_transient(provider, fake_api):
    fake_api.route("/api/v1/statuses/1", Reply(status=500, body="<html>oops</html>"))
    results = provider.fetch([ref("1"), ref("2")])
    assert results[ref("1")].outcome is Outcome.TRANSIENT
    assert results[ref("2")].outcome is Outcome.TRANSIENT
    assert results[ref("2")].detail.startswith("Not asked")


def test_a_timeout_is_transient(provider, fake_api):
    provider.http.timeout = 0.3
    fake_api.route("/api/v1/statuses/1", Reply(body=status("1"), delay=1.0))
    result = provider.fetch([ref("1")])[ref("1")]
    assert result.outcome is Outcome.TRANSIENT
    assert "Timed out" in result.detail


def test_a_refused_connection_is_transient(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.METRICS_MASTODON_INSTANCE_URLS = {"mastodon.example": f"http://127.0.0.1:{port}"}
    result = MastodonProvider.from_settings().fetch([ref("1")])[ref("1")]
    assert result.outcome is Outcome.TRANSIENT


@pytest.mark.parametrize(
    "body",
    ["{not json", "[]", {"id": "1", "favourites_count": "lots", "reblogs_count": 0, "replies_count": 0}, {"id": "1"}],
)
def test_a_malformed_answer_is_transient(provider, fake_api, body):
    fake_api.route("/api/v1/statuses/1", Reply(body=body))
    assert provider.fetch([ref("1")])[ref("1")].outcome is Outcome.TRANSIENT


def test_it_never_calls_an_instance_that_resolves_to_a_private_address(settings, monkeypatch):
    settings.METRICS_MASTODON_INSTANCE_URLS = {}
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda *args, **kwargs: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 443))]
    )
    result = MastodonProvider.from_settings().fetch([ref("1", "intranet.example")])[ref("1", "intranet.example")]
    assert result.outcome is Outcome.UNAVAILABLE
    assert "private address" in result.detail


def _resolving(monkeypatch, *answers):
    """getaddrinfo answering each given address in turn (the last one from then on), on any port asked."""
    answers = list(answers)

    def getaddrinfo(host, port, *args, **kwargs):
        address = answers.pop(0) if len(answers) > 1 else answers[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address[0], address[1] or port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_name_that_turns_private_after_the_check_is_still_never_called(settings, monkeypatch, fake_api):
    # DNS rebinding: public to the up-front check, then the fake API's private address at connect time.
    settings.METRICS_MASTODON_INSTANCE_URLS = {}
    settings.METRICS_HTTP_TIMEOUT = 2
    fake_api.route("/api/v1/statuses/1", Reply(body=status("1")))
    port = int(fake_api.url.rsplit(":", 1)[1])
    _resolving(monkeypatch, ("93.184.215.14", None), ("127.0.0.1", port))
    result = MastodonProvider.from_settings().fetch([ref("1", "rebind.example")])[ref("1", "rebind.example")]
    assert result.outcome is Outcome.UNAVAILABLE
    assert "private address" in result.detail
    assert fake_api.requests == []


def test_the_checked_client_connects_to_the_address_it_checked(monkeypatch, fake_api):
    from advocacy.http import ForbiddenAddress, HttpClient, is_public_address

    fake_api.route("/api/v1/statuses/1", Reply(body=status("1")))
    port = int(fake_api.url.rsplit(":", 1)[1])
    _resolving(monkeypatch, ("127.0.0.1", port))
    url = f"http://instance.example:{port}/api/v1/statuses/1"
    with pytest.raises(ForbiddenAddress):
        HttpClient(timeout=2, allow_address=is_public_address).get(url, headers={})
    assert fake_api.requests == []
    # The same connector with a check that allows loopback reaches the server, under the name asked for.
    answer = HttpClient(timeout=2, allow_address=lambda address: address.is_loopback).get(url, headers={})
    assert answer.status == 200
    assert [request.path for request in fake_api.requests] == ["/api/v1/statuses/1"]
    assert {k.lower(): v for k, v in fake_api.requests[0].headers.items()}["host"] == f"instance.example:{port}"


def test_it_needs_no_token_to_be_configured(provider):
    assert provider.is_configured()


def test_the_up_front_check_and_the_connection_share_one_address_step(settings, monkeypatch, fake_api):
    """Issue 25: one "strip the %scope id, check the address" step (http.address_allowed) for both checks."""
    from advocacy import http
    from metrics.providers import mastodon

    asked = []
    real = http.address_allowed

    def spy(address, allow=http.is_public_address):
        asked.append(address)
        return real(address, allow)

    monkeypatch.setattr(http, "address_allowed", spy)
    monkeypatch.setattr(mastodon, "address_allowed", spy)
    settings.METRICS_MASTODON_INSTANCE_URLS = {}
    # A scoped link-local IPv6 address: private once its scope id is stripped.
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("fe80::1%eth0", 443, 0, 2))],
    )
    refs = [ref("1", "scoped.example"), ref("2", "scoped.example")]
    results = MastodonProvider.from_settings().fetch(refs)
    assert asked == ["fe80::1%eth0"]
    assert {r.outcome for r in results.values()} == {Outcome.UNAVAILABLE}
    assert [r.ref for r in results.values()] == refs  # stamped per ref, as base.for_refs does
    with pytest.raises(http.ForbiddenAddress):
        http.HttpClient(timeout=2, allow_address=http.is_public_address).get("http://scoped.example/", headers={})
    assert asked == ["fe80::1%eth0", "fe80::1%eth0"]
    assert http.address_allowed is spy and real("2001:4860:4860::8888%3") and not real("fe80::1%eth0")


def test_failures_are_stamped_onto_each_ref_by_base_for_refs(provider, fake_api, monkeypatch):
    from metrics.providers import mastodon

    stamped = []
    real = mastodon.for_refs
    monkeypatch.setattr(
        mastodon, "for_refs", lambda template, refs: stamped.append(template.outcome) or real(template, refs)
    )
    fake_api.route("/api/v1/statuses/1", Reply(status=429, body={"error": "Too many requests"}))
    results = provider.fetch([ref("1"), ref("2")])
    assert {r.outcome for r in results.values()} == {Outcome.RATE_LIMITED}
    assert stamped == [Outcome.RATE_LIMITED, Outcome.RATE_LIMITED]  # the answer, then the refs not asked


def test_it_reads_the_authors_followers_as_potential_reach(provider, fake_api):
    fake_api.route(f"/api/v1/statuses/{STATUS_ID}", Reply(body=status()))
    assert provider.fetch([ref()])[ref()].author_followers == 412  # account.followers_count in the fixture


def test_a_strange_follower_count_is_unknown_and_the_metrics_still_count(provider, fake_api):
    body = status()
    body["account"]["followers_count"] = "lots"
    fake_api.route(f"/api/v1/statuses/{STATUS_ID}", Reply(body=body))
    result = provider.fetch([ref()])[ref()]
    assert result.outcome is Outcome.OK and result.author_followers is None
