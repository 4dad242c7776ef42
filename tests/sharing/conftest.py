from datetime import timedelta

import pytest
from django.utils import timezone

from content_library.models import Post
from sharing import clickstream
from sharing.models import Share

HUMAN_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
OTHER_HUMAN_UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari"
)


@pytest.fixture(autouse=True)
def _embedded_by_default(settings):
    """Clicks go straight to the database unless a test asks for Redis (with_redis)."""
    settings.REDIS_URL = ""
    clickstream.reset_state()
    yield
    clickstream.reset_state()


@pytest.fixture
def with_redis(settings, redis_url):
    settings.REDIS_URL = redis_url
    clickstream.reset_state()
    return redis_url


@pytest.fixture
def redis_down(settings):
    # Nothing listens on port 1: connections are refused at once.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    clickstream.reset_state()


def make_post(*, slug="launch-day", destination_url="https://example.com/launch?ref=news", created_by=None, **extra):
    now = timezone.now()
    fields = {
        "title": "We launched the new app",
        "slug": slug,
        "body": "Our new app is out today.",
        "destination_url": destination_url,
        "status": Post.Status.APPROVED,
        "publish_at": now - timedelta(days=1),
        "suggested_caption": "Proud of the team: the new app is out! #launch",
        "created_by": created_by,
    }
    fields.update(extra)
    return Post.objects.create(**fields)


def make_share(*, user, post, network="linkedin", code="Abc123XYZ", **extra):
    return Share.objects.create(
        user=user, post=post, network=network, code=code, caption="Look at this", last_shared_at=timezone.now(), **extra
    )


@pytest.fixture
def post(casey):
    return make_post(created_by=casey)


@pytest.fixture
def share(alice, post):
    return make_share(user=alice, post=post)


@pytest.fixture
def click(client):
    """GET a tracked link as a browser would; keyword arguments become request headers/META."""

    def go(code, *, ua=HUMAN_UA, ip="203.0.113.7", **extra):
        return client.get(f"/s/{code}", HTTP_USER_AGENT=ua, REMOTE_ADDR=ip, **extra)

    return go
