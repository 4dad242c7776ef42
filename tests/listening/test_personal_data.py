import pytest
from django.utils import timezone

from advocacy.people.personal_data import sections
from listening.models import Mention

pytestmark = pytest.mark.django_db


def _mention(user):
    return Mention.objects.create(
        network="bluesky",
        remote_id="at://did:plc:a/app.bsky.feed.post/1",
        url="https://bsky.app/profile/alice.bsky.social/post/1",
        author_handle="alice.bsky.social",
        posted_at=timezone.now(),
        collected_at=timezone.now(),
        employee=user,
    )


def test_the_download_lists_the_public_posts_counted_as_theirs_and_erasure_unlinks_them(alice):
    mention = _mention(alice)
    section = next(s for s in sections() if s.name == "listening")
    exported = section.export(user=alice)["listening_mentions"]
    assert exported == [
        {
            "network": "bluesky",
            "url": mention.url,
            "author": "alice.bsky.social",
            "posted_at": mention.posted_at.isoformat(),
        }
    ]
    section.erase(user=alice)
    mention.refresh_from_db()
    assert mention.employee is None
