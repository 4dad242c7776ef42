"""Rollups the workers keep from the raw rows, so the dashboards never join shares to their metrics.

``ShareRollup`` is one narrow row per share with the figures a dashboard sums (human clicks,
and the engagement the share's network reports) and what it groups them by that never
changes (the day the share was made, person, post, network). What can change without a new
click or pull (a person's team or "hide me", a post's campaign) is joined from the small
tables at read time, so it is never stale.
``analytics/rollups.py`` keeps it current and can always recreate it from the sources.
"""

from django.conf import settings
from django.db import models


def _ref(model: str, *, null: bool = False):
    # A cache the refresh recreates: no database constraint to check on every upsert,
    # but the ORM still deletes the row with its share.
    return models.ForeignKey(
        model, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False, null=null
    )


class ShareRollup(models.Model):
    share = models.OneToOneField(
        "sharing.Share", on_delete=models.CASCADE, primary_key=True, related_name="rollup", db_constraint=False
    )
    # Share.created_at as a date in the site's time zone (the dashboards' days).
    day = models.DateField()
    user = _ref(settings.AUTH_USER_MODEL)
    post = _ref("content_library.Post")
    network = models.CharField(max_length=20)
    human_clicks = models.PositiveIntegerField(default=0)
    # None when the share's network does not report the figure or it is not known yet.
    reported_likes = models.BigIntegerField(null=True)
    reported_reposts = models.BigIntegerField(null=True)
    reported_replies = models.BigIntegerField(null=True)
    reported_impressions = models.BigIntegerField(null=True)
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["day"], name="share_rollup_day_idx"),
            models.Index(fields=["post", "day"], name="share_rollup_post_day_idx"),
            models.Index(fields=["user", "day"], name="share_rollup_user_day_idx"),
        ]

    def __str__(self) -> str:
        return f"rollup of share {self.share_id} ({self.day})"


class RollupState(models.Model):
    """When the incremental refresh last ran (one row): it re-reads what changed since, with a margin."""

    refreshed_at = models.DateTimeField()
    rebuilt_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"rollups refreshed {self.refreshed_at:%Y-%m-%d %H:%M}"


class PostDayRollup(models.Model):
    """The shares of one post on one network made on one day, summed (rebuilt from ``ShareRollup``).

    The comms dashboard's figures that need no person (totals, posts, campaigns, networks,
    content types, trend) add these rows up instead of one row per share. A figure is None
    exactly when none of the shares has it, so sums of sums stay "–" where they were.
    """

    day = models.DateField()
    # Deleted with its post by the ORM, so the dashboard never shows a post that is gone.
    post = models.ForeignKey(
        "content_library.Post", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    network = models.CharField(max_length=20)
    share_count = models.PositiveIntegerField()
    human_click_count = models.BigIntegerField()
    likes_total = models.BigIntegerField(null=True)
    reposts_total = models.BigIntegerField(null=True)
    replies_total = models.BigIntegerField(null=True)
    impressions_total = models.BigIntegerField(null=True)
    impressions_known_count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "post", "network"], name="post_day_rollup_key"),
        ]
        indexes = [models.Index(fields=["post", "day"], name="post_day_rollup_post_idx")]

    def __str__(self) -> str:
        return f"post {self.post_id} on {self.network}, {self.day}"


class PostRollup(models.Model):
    """A post's shares and their human clicks over all time (rebuilt from ``ShareRollup``): the comms post list."""

    post = models.OneToOneField(
        "content_library.Post", on_delete=models.CASCADE, primary_key=True, related_name="+", db_constraint=False
    )
    share_count = models.PositiveIntegerField()
    human_click_count = models.BigIntegerField()

    def __str__(self) -> str:
        return f"post {self.post_id}: {self.share_count} shares"
