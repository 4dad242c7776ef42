"""/s/<code> answered before the full middleware stack, with the headers every page has."""

import pytest
import redis

from content_library.models import Post
from sharing import clickstream

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["redis", "database"])
def either_store(request):
    """Each test runs with clicks captured in Redis and with clicks written to the database."""
    if request.param == "redis":
        request.getfixturevalue("with_redis")
    return request.param


def test_a_tracked_link_skips_the_session_and_user_layers(share, click, either_store):
    response = click(share.code)
    assert response.status_code == 302
    # Authentication and messages never ran for it: no user was ever attached to the request.
    assert not hasattr(response.wsgi_request, "user")
    assert "Cookie" not in response.get("Vary", "")


def test_it_keeps_the_security_headers_of_the_full_stack(share, click, client, either_store):
    page = client.get("/accounts/login/")
    response = click(share.code)
    for header in ("X-Frame-Options", "X-Content-Type-Options", "Cross-Origin-Opener-Policy"):
        assert response[header] == page[header], header
    assert response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "no-referrer-when-downgrade"


def test_a_link_that_leads_to_a_page_goes_through_the_full_stack_and_is_captured_once(share, post, click, with_redis):
    Post.objects.filter(pk=post.pk).update(status=Post.Status.ARCHIVED)
    response = click(share.code)
    assert response.status_code == 410
    assert hasattr(response.wsgi_request, "user")  # rendered like any page
    # One rate-limit hit for the one request: the full stack reused the capture.
    conn = redis.Redis.from_url(with_redis)
    outcome, _ = response.wsgi_request.tracked_outcome
    assert outcome.status == "done"
    hits = [int(conn.get(key)) for key in conn.keys("sharing:rate:*")]
    assert hits == [1]


def test_other_addresses_and_methods_take_the_usual_way(share, client):
    assert client.post(f"/s/{share.code}").status_code == 405
    assert client.get("/s/not a code").status_code == 404
    assert hasattr(client.get("/accounts/login/").wsgi_request, "user")


def test_it_resets_nothing_of_the_click_cache_between_requests(share, click, with_redis):
    first, second = click(share.code), click(share.code, ip="203.0.113.8")
    assert first.status_code == second.status_code == 302
    assert redis.Redis.from_url(with_redis).xlen(clickstream.STREAM_KEY) == 2
