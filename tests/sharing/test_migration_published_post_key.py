"""Migration 0004: posts pasted earlier get their key and go through verification; duplicates are claimed."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

# People stay at their latest state: their table keeps columns (session_epoch) newer than sharing 0003.
PEOPLE = ("people", "0004_user_session_epoch")
BEFORE = [("sharing", "0003_share_created_index"), PEOPLE]
AFTER = [("sharing", "0004_share_published_post_verification"), PEOPLE]


@pytest.mark.django_db(transaction=True)
def test_existing_posts_get_keys_are_sent_to_verification_and_duplicates_are_claimed():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    User, Post, Share = (
        apps.get_model("people", "User"),
        apps.get_model("content_library", "Post"),
        apps.get_model("sharing", "Share"),
    )
    now = timezone.now()
    people = [User.objects.create(username=f"m{index}") for index in range(3)]
    post = Post.objects.create(title="T", slug="t", body="b", status="approved", publish_at=now)

    def share(user, network, code, url, post_id, minutes):
        return Share.objects.create(
            user=user,
            post=post,
            network=network,
            code=code,
            last_shared_at=now,
            published_url=url,
            published_post_id=post_id,
            published_recorded_at=now + timezone.timedelta(minutes=minutes),
        )

    first = share(people[0], "x", "c1", "https://x.com/a/status/0042", "0042", 1)
    copy = share(people[1], "x", "c2", "https://x.com/b/status/42", "42", 2)
    toot = share(people[0], "mastodon", "c3", "https://Mastodon.Example/@a/7", "7", 3)
    other_toot = share(people[1], "mastodon", "c4", "https://other.example/@b/7", "7", 4)
    linkedin = share(
        people[2], "linkedin", "c5", "https://www.linkedin.com/feed/update/urn:li:activity:1/", "urn:li:activity:1", 5
    )
    unpublished = share(people[2], "x", "c6", "", "", 6)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    Share = executor.loader.project_state(AFTER).apps.get_model("sharing", "Share")
    rows = {row.pk: row for row in Share.objects.all()}
    assert (rows[first.pk].published_post_key, rows[first.pk].published_verification) == ("42", "verifying")
    assert (rows[copy.pk].published_post_key, rows[copy.pk].published_verification) == ("", "claimed")
    assert rows[toot.pk].published_post_key == "mastodon.example/7"
    assert rows[other_toot.pk].published_post_key == "other.example/7"  # another instance, another post
    assert rows[linkedin.pk].published_verification == "unverifiable"
    assert (rows[unpublished.pk].published_post_key, rows[unpublished.pk].published_verification) == ("", "")
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
