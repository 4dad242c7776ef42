import pytest

from advocacy.http import HttpClient, TransportError
from metrics.providers import InvalidPostUrl, Outcome, PostRef, parse_post_url, provider_for
from tests.metrics.conftest import Reply


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://mastodon.example/@alice/1", PostRef("mastodon", "1", "mastodon.example")),
        (
            "https://bsky.app/profile/alice.bsky.social/post/3lb2",
            PostRef("bluesky", "at://alice.bsky.social/app.bsky.feed.post/3lb2"),
        ),
        ("https://twitter.com/alice/status/42", PostRef("x", "42")),
        ("https://www.linkedin.com/feed/update/urn:li:share:123/", PostRef("linkedin", "urn:li:share:123")),
    ],
)
def test_it_guesses_the_network_from_the_host(url, expected):
    assert parse_post_url(url) == expected


def test_a_url_for_another_network_than_the_share_says_is_refused():
    with pytest.raises(InvalidPostUrl, match="X post"):
        parse_post_url("https://bsky.app/profile/alice.bsky.social/post/3lb2", network="x")


def test_networks_without_a_provider_are_explained():
    with pytest.raises(InvalidPostUrl, match="Facebook"):
        parse_post_url("https://facebook.com/alice/posts/1", network="facebook")
    with pytest.raises(LookupError):
        provider_for("email")


def test_a_ref_for_another_network_is_a_programming_error():
    with pytest.raises(ValueError, match="not a X post"):
        provider_for("x").fetch([PostRef("bluesky", "at://x/app.bsky.feed.post/1")])


def test_the_http_client_does_not_follow_redirects(fake_api):
    fake_api.route("/moved", Reply(status=302, body="", headers={"Location": "http://169.254.169.254/latest"}))
    answer = HttpClient(timeout=2).get(f"{fake_api.url}/moved", headers={})
    assert answer.status == 302
    assert len(fake_api.requests) == 1


def test_the_http_client_refuses_other_schemes():
    with pytest.raises(TransportError):
        HttpClient(timeout=2).get("file:///etc/passwd", headers={})


def test_a_redirect_is_not_taken_for_metrics(settings, fake_api):
    settings.METRICS_X_API_URL = fake_api.url
    settings.METRICS_X_BEARER_TOKEN = "t"
    fake_api.route("/2/tweets", Reply(status=301, body="", headers={"Location": "https://example.com/"}))
    assert provider_for("x").fetch([PostRef("x", "1")])[PostRef("x", "1")].outcome is Outcome.UNAVAILABLE
