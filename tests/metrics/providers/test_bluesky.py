import copy
import random
import time

import pytest

from metrics.providers import Metrics, Outcome, PostRef
from metrics.providers.base import InvalidPostUrl
from metrics.providers.bluesky import BlueskyProvider
from tests.metrics.conftest import Reply, fixture

DID = "did:plc:z72i7hdynmk6r22z27h6tvur"
RKEY = "3lb2tq7xhrc2k"
GET_POSTS = "/xrpc/app.bsky.feed.getPosts"
RESOLVE = "/xrpc/com.atproto.identity.resolveHandle"


def uri(actor=DID, rkey=RKEY):
    return f"at://{actor}/app.bsky.feed.post/{rkey}"


def ref(actor=DID, rkey=RKEY):
    return PostRef("bluesky", uri(actor, rkey))


def post_view(at_uri, likes=57):
    view = copy.deepcopy(fixture("bluesky_get_posts.json")["posts"][0])
    view["uri"] = at_uri
    view["likeCount"] = likes
    return view


def echo_posts(request):
    """getPosts as the AppView answers: a view for each URI it knows, in any order."""
    return Reply(body={"posts": [post_view(u) for u in reversed(request.query.get("uris", []))]})


@pytest.fixture
def provider(settings, fake_api):
    settings.METRICS_BLUESKY_APPVIEW_URL = fake_api.url
    return BlueskyProvider.from_settings(rng=random.Random(1))


# --- parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://bsky.app/profile/alice.bsky.social/post/3lb2tq7xhrc2k", uri("alice.bsky.social")),
        ("https://bsky.app/profile/Alice.Bsky.Social/post/3lb2tq7xhrc2k/", uri("alice.bsky.social")),
        ("https://bsky.app/profile/alice.bsky.social/post/3lb2tq7xhrc2k?ref_src=embed", uri("alice.bsky.social")),
        (f"https://bsky.app/profile/{DID}/post/3lb2tq7xhrc2k", uri()),
        ("https://bsky.app/profile/alice.example.com/post/3lb2tq7xhrc2k", uri("alice.example.com")),
    ],
)
def test_it_parses_post_urls_into_at_uris(url, expected):
    assert BlueskyProvider.from_settings().parse_url(url) == PostRef("bluesky", expected)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://staging.bsky.app/profile/alice.bsky.social/post/3lb2tq7xhrc2k", "looks like"),
        ("https://mastodon.example/@alice/1", "looks like"),
        ("https://bsky.app/profile/alice.bsky.social", "single Bluesky post"),
        ("https://bsky.app/profile/alice.bsky.social/post/3lb2tq7xhrc2k/likes", "single Bluesky post"),
        ("https://bsky.app/profile/not_a_handle/post/3lb2tq7xhrc2k", "valid handle"),
        ("https://bsky.app/profile/did:plc:short/post/3lb2tq7xhrc2k", "valid DID"),
        ("https://bsky.app/profile/alice.bsky.social/post/..", "valid post id"),
    ],
)
def test_it_explains_urls_it_cannot_use(url, message):
    with pytest.raises(InvalidPostUrl, match=message):
        BlueskyProvider.from_settings().parse_url(url)


# --- fetching ------------------------------------------------------------------------------------


def test_it_reads_likes_reposts_replies_and_quotes(provider, fake_api):
    fake_api.route(GET_POSTS, Reply(body=fixture("bluesky_get_posts.json")))
    result = provider.fetch([ref()])[ref()]
    assert result.outcome is Outcome.OK
    assert result.metrics == Metrics(likes=57, reposts=9, replies=3, quotes=1, impressions=None)
    assert fake_api.requests[0].query["uris"] == [uri()]
    assert result.resolved_ref is None


def test_it_resolves_handles_once_and_hands_back_the_did_form(provider, fake_api):
    fake_api.route(RESOLVE, Reply(body=fixture("bluesky_resolve_handle.json")))
    fake_api.route(GET_POSTS, echo_posts)
    by_handle = [ref("alice.bsky.social", "3lb2tq7xhrc2k"), ref("alice.bsky.social", "3lb2tq7xhrc2m")]
    results = provider.fetch(by_handle)
    assert len(fake_api.requests_to(RESOLVE)) == 1
    assert fake_api.requests_to(RESOLVE)[0].query["handle"] == ["alice.bsky.social"]
    assert results[by_handle[0]].outcome is Outcome.OK
    assert results[by_handle[0]].resolved_ref == ref(DID, "3lb2tq7xhrc2k")
    assert results[by_handle[1]].resolved_ref == ref(DID, "3lb2tq7xhrc2m")


def test_30_posts_take_two_calls_of_at_most_25(provider, fake_api):
    fake_api.route(GET_POSTS, echo_posts)
    refs = [ref(rkey=f"3lb2tq7xhrc{n:02d}") for n in range(30)]
    results = provider.fetch(refs)
    assert [len(r.query["uris"]) for r in fake_api.requests_to(GET_POSTS)] == [25, 5]
    assert all(results[r].outcome is Outcome.OK for r in refs)


def test_a_post_missing_from_the_answer_is_deleted(provider, fake_api):
    fake_api.route(GET_POSTS, Reply(body=fixture("bluesky_get_posts.json")))
    gone = ref(rkey="3lb2tq7xhrzzz")
    results = provider.fetch([ref(), gone])
    assert results[ref()].outcome is Outcome.OK
    assert results[gone].outcome is Outcome.DELETED


def test_a_handle_that_does_not_resolve_is_unavailable_and_others_still_counted(provider, fake_api):
    fake_api.route(RESOLVE, Reply(status=400, body=fixture("bluesky_resolve_handle_unknown.json")))
    fake_api.route(GET_POSTS, Reply(body=fixture("bluesky_get_posts.json")))
    unknown = ref("gone.bsky.social")
    results = provider.fetch([unknown, ref()])
    assert results[unknown].outcome is Outcome.UNAVAILABLE
    assert "does not resolve" in results[unknown].detail
    assert results[ref()].outcome is Outcome.OK


def test_a_404_from_getposts_is_not_mistaken_for_deleted_posts(provider, fake_api):
    fake_api.route(GET_POSTS, Reply(status=404, body={"error": "XRPCNotSupported"}))
    assert provider.fetch([ref()])[ref()].outcome is Outcome.TRANSIENT


def test_401_is_a_credentials_problem(provider, fake_api):
    fake_api.route(GET_POSTS, Reply(status=401, body={"error": "AuthMissing", "message": "Authentication Required"}))
    assert provider.fetch([ref()])[ref()].outcome is Outcome.UNAUTHORISED


def test_429_reads_the_epoch_reset_and_stops_asking(provider, fake_api):
    reset = int(time.time()) + 120
    fake_api.route(
        GET_POSTS,
        Reply(
            status=429,
            body=fixture("bluesky_rate_limited.json"),
            headers={"RateLimit-Limit": "3000", "RateLimit-Remaining": "0", "RateLimit-Reset": str(reset)},
        ),
    )
    refs = [ref(rkey=f"3lb2tq7xhrc{n:02d}") for n in range(30)]
    results = provider.fetch(refs)
    assert {r.outcome for r in results.values()} == {Outcome.RATE_LIMITED}
    assert 115 < results[refs[0]].retry_after <= 122
    assert len(fake_api.requests) == 1


def test_429_while_resolving_handles_stops_everything(provider, fake_api):
    fake_api.route(RESOLVE, Reply(status=429, body=fixture("bluesky_rate_limited.json"), headers={"Retry-After": "9"}))
    refs = [ref("alice.bsky.social"), ref("bob.bsky.social"), ref()]
    results = provider.fetch(refs)
    assert {r.outcome for r in results.values()} == {Outcome.RATE_LIMITED}
    assert len(fake_api.requests) == 1


def test_500_is_transient(provider, fake_api):
    fake_api.route(GET_POSTS, Reply(status=502, body="Bad Gateway"))
    assert provider.fetch([ref()])[ref()].outcome is Outcome.TRANSIENT


def test_a_timeout_is_transient(provider, fake_api):
    provider.http.timeout = 0.3
    fake_api.route(GET_POSTS, Reply(body=fixture("bluesky_get_posts.json"), delay=1.0))
    assert provider.fetch([ref()])[ref()].outcome is Outcome.TRANSIENT


@pytest.mark.parametrize("body", ["<html>", {"cursor": "x"}, {"posts": [{"uri": uri(), "likeCount": -1}]}])
def test_malformed_answers_are_transient(provider, fake_api, body):
    fake_api.route(GET_POSTS, Reply(body=body))
    assert provider.fetch([ref()])[ref()].outcome is Outcome.TRANSIENT


GET_PROFILES = "/xrpc/app.bsky.actor.getProfiles"


def test_it_reads_each_authors_followers_in_one_call(provider, fake_api):
    fake_api.route(GET_POSTS, echo_posts)
    fake_api.route(GET_PROFILES, Reply(body={"profiles": [{"did": DID, "handle": "bsky.app", "followersCount": 1520}]}))
    refs = [ref(rkey=f"3lb2tq7xhrc{n:02d}") for n in range(3)]
    results = provider.fetch(refs)
    [asked] = fake_api.requests_to(GET_PROFILES)
    assert asked.query["actors"] == [DID]
    assert [results[r].author_followers for r in refs] == [1520, 1520, 1520]


def test_followers_that_cannot_be_read_leave_the_metrics_alone(provider, fake_api):
    fake_api.route(GET_POSTS, Reply(body=fixture("bluesky_get_posts.json")))
    fake_api.route(GET_PROFILES, Reply(status=500, body={"error": "InternalServerError"}))
    result = provider.fetch([ref()])[ref()]
    assert result.outcome is Outcome.OK and result.metrics.likes == 57
    assert result.author_followers is None
