import pytest

from content_library import registry
from content_library.selectors import post_feed
from sharing.feed import posts_with_share_marker
from tests.content_library.factories import PostFactory
from tests.sharing.conftest import make_share

pytestmark = pytest.mark.django_db


def test_sharing_registers_the_already_shared_marker(alice, bob):
    assert registry._share_marker == [posts_with_share_marker]
    shared, other = PostFactory(), PostFactory()
    make_share(user=alice, post=shared)
    marks = {post.pk: post.already_shared for post in post_feed(user=alice)}
    assert marks[shared.pk] is True and marks[other.pk] is False
    assert not any(post.already_shared for post in post_feed(user=bob))


def test_without_sharing_nothing_is_marked_shared(alice, monkeypatch):
    post = PostFactory()
    make_share(user=alice, post=post)
    monkeypatch.setattr(registry, "_share_marker", [])
    assert [p.already_shared for p in post_feed(user=alice)] == [False]
