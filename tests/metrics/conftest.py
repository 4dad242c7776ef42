"""A local HTTP server that plays a network's API, and the recorded answers it serves."""

import json
from pathlib import Path

import pytest

from tests.fakes.server import FakeApi, Reply, SeenRequest, serving  # noqa: F401 - the metrics tests import them here

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str):
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def fake_api():
    with serving() as api:
        yield api


@pytest.fixture
def other_fake_api():
    """A second server, for a second Mastodon instance."""
    with serving() as api:
        yield api


# --- shares with published posts -------------------------------------------------------------------

DID = "did:plc:z72i7hdynmk6r22z27h6tvur"


def make_post(*, slug="zero-downtime-migrations"):
    from datetime import timedelta

    from django.utils import timezone

    from content_library.models import Post

    post, _ = Post.objects.get_or_create(
        slug=slug,
        defaults={
            "title": "Zero-downtime migrations",
            "body": "How we migrate without downtime.",
            "destination_url": "https://example.com/blog/migrations",
            "status": Post.Status.APPROVED,
            "publish_at": timezone.now() - timedelta(days=2),
        },
    )
    return post


def make_share(*, user, network="bluesky", url=None, published_at=None, post=None, code=None):
    from django.utils import timezone

    from sharing.models import Share

    published_at = published_at or timezone.now()
    count = Share.objects.count()
    # One share per person, post and network: each share gets its own post unless told otherwise.
    post = post or make_post(slug=f"post-{count}")
    url = url or f"https://bsky.app/profile/{DID}/post/3lb2tq7xhr{count:03d}"
    return Share.objects.create(
        user=user,
        post=post,
        network=network,
        code=code or f"code{count:05d}",
        caption="Worth a read",
        last_shared_at=published_at,
        published_url=url,
        published_post_id=url.rsplit("/", 1)[-1],
        published_recorded_at=published_at,
    )


@pytest.fixture
def queued(monkeypatch):
    """Pull tasks queued (after commit) instead of sent to a broker: (network, items, attempt, countdown)."""
    from metrics import tasks

    calls = []

    def apply_async(args, kwargs=None, countdown=0, **options):
        network, items = args
        calls.append((network, items, (kwargs or {}).get("attempt", 0), countdown))

    monkeypatch.setattr(tasks.pull_metrics, "apply_async", apply_async)
    return calls


@pytest.fixture
def bluesky_api(settings, fake_api):
    settings.METRICS_BLUESKY_APPVIEW_URL = fake_api.url
    return fake_api
