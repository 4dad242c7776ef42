"""Connecting an account resumes the tracking that stopped for want of one."""

from datetime import timedelta

import pytest
from django.utils import timezone

from connections.services import connected_account_store
from metrics.models import ShareMetrics
from tests.metrics.conftest import make_share

pytestmark = pytest.mark.django_db


def unavailable(share, *, published_at):
    return ShareMetrics.objects.create(
        share=share,
        network=share.network,
        post_id=share.published_post_id,
        published_at=published_at,
        status=ShareMetrics.Status.UNAVAILABLE,
        next_pull_at=None,
        last_error="Threads gives insights only to the post's owner: connect Threads to have it counted",
    )


def threads_share(user, shortcode, *, published_at):
    url = f"https://www.threads.com/@{user.username}/post/{shortcode}"
    return make_share(user=user, network="threads", url=url, published_at=published_at)


def test_connecting_threads_asks_again_about_the_owners_recent_unavailable_posts(
    alice, bob, django_capture_on_commit_callbacks
):
    now = timezone.now()
    recent = unavailable(
        threads_share(alice, "DAbc123", published_at=now - timedelta(days=2)), published_at=now - timedelta(days=2)
    )
    too_old = unavailable(
        threads_share(alice, "DOld999", published_at=now - timedelta(days=60)), published_at=now - timedelta(days=60)
    )
    someone_elses = unavailable(
        threads_share(bob, "DBob111", published_at=now - timedelta(days=1)), published_at=now - timedelta(days=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        connected_account_store(
            person=alice, network="threads", handle="alice", remote_account_id="17841400000000001", access_token="T"
        )

    recent.refresh_from_db()
    assert recent.status == ShareMetrics.Status.TRACKING and recent.last_error == ""
    assert now <= recent.next_pull_at <= timezone.now()
    for untouched in (too_old, someone_elses):
        untouched.refresh_from_db()
        assert untouched.status == ShareMetrics.Status.UNAVAILABLE


def test_nothing_resumes_before_the_account_is_saved(alice, django_capture_on_commit_callbacks):
    now = timezone.now()
    tracked = unavailable(threads_share(alice, "DAbc123", published_at=now), published_at=now)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        connected_account_store(
            person=alice, network="threads", handle="alice", remote_account_id="17841400000000001", access_token="T"
        )
    tracked.refresh_from_db()
    assert tracked.status == ShareMetrics.Status.UNAVAILABLE
    assert len(callbacks) == 1
