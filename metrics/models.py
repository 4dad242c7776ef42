"""Engagement metrics pulled from the networks for each share's published post.

- ``ShareMetrics``: one row per tracked share: the post reference we ask the network
  about, the latest totals, and when to ask next. A failed pull never touches totals.
- ``MetricSnapshot``: one row per pull, keyed by (share, slot): the slot is the
  scheduled time of the pull, so a retried, duplicated or re-delivered pull writes
  the same row instead of a second one.
- ``MetricChange``: one row per change of a total, keyed by (share, metric, total):
  the seam the points ledger consumes exactly once.
- ``ProviderHealth``: per network, whether pulls work, and why not.
- ``PullFailure``: a pull that still failed after the retry limit, kept visible.
"""

from django.db import models

from advocacy.networks import Network

METRIC_FIELDS = ("likes", "reposts", "replies", "quotes", "impressions")


class ShareMetrics(models.Model):
    class Status(models.TextChoices):
        TRACKING = "tracking", "Tracking"
        FINISHED = "finished", "Finished (older than the tracking window)"
        DELETED = "deleted", "Post deleted on the network"
        UNAVAILABLE = "unavailable", "The network will not give metrics for this post"

    share = models.OneToOneField("sharing.Share", on_delete=models.CASCADE, related_name="metrics")
    network = models.CharField(max_length=20, choices=Network.choices)
    # The provider's reference: status id, at:// URI (DID form once resolved), tweet id, URN.
    post_id = models.CharField(max_length=300)
    instance = models.CharField(max_length=253, blank=True)
    # When the post went out (the share's published URL was recorded); the schedule counts from here.
    published_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.TRACKING)

    likes = models.PositiveBigIntegerField(null=True, blank=True)
    reposts = models.PositiveBigIntegerField(null=True, blank=True)
    replies = models.PositiveBigIntegerField(null=True, blank=True)
    quotes = models.PositiveBigIntegerField(null=True, blank=True)
    impressions = models.PositiveBigIntegerField(null=True, blank=True)
    # The sharer's followers on the network at the latest pull, where the network shows them
    # (Mastodon, Bluesky): the share's potential reach. None: not known, never 0.
    author_followers = models.PositiveBigIntegerField(null=True, blank=True)

    # The slot of the latest snapshot applied to the totals (older, late pulls never overwrite them).
    totals_slot = models.DateTimeField(null=True, blank=True)
    last_pulled_at = models.DateTimeField(null=True, blank=True)
    # The slot of the next pull; None once tracking has stopped.
    next_pull_at = models.DateTimeField(null=True, blank=True)
    # Claimed by the scheduler until then, so a queued pull is not queued twice; a lost task frees it.
    leased_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    is_demo = models.BooleanField(default=False, help_text="Written by seed_demo, not pulled from a network.")

    class Meta:
        verbose_name_plural = "share metrics"
        indexes = [
            models.Index(
                fields=["network", "next_pull_at"], name="sharemetrics_due_idx", condition=models.Q(status="tracking")
            )
        ]

    def __str__(self) -> str:
        return f"Metrics of share {self.share_id} ({self.network})"

    @property
    def totals(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in METRIC_FIELDS}


class MetricSnapshot(models.Model):
    share = models.ForeignKey("sharing.Share", on_delete=models.CASCADE, related_name="metric_snapshots")
    # The scheduled time of this pull: the idempotency key with the share.
    slot = models.DateTimeField()
    taken_at = models.DateTimeField()
    likes = models.PositiveBigIntegerField(null=True, blank=True)
    reposts = models.PositiveBigIntegerField(null=True, blank=True)
    replies = models.PositiveBigIntegerField(null=True, blank=True)
    quotes = models.PositiveBigIntegerField(null=True, blank=True)
    impressions = models.PositiveBigIntegerField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["share", "slot"]
        constraints = [models.UniqueConstraint(fields=["share", "slot"], name="one_snapshot_per_share_slot")]

    def __str__(self) -> str:
        return f"Snapshot of share {self.share_id} at {self.slot:%Y-%m-%d %H:%M}"


class MetricChange(models.Model):
    """A total that changed, for the points ledger (issue 7) to consume exactly once.

    The key (share, metric, total) means a total reached twice (a like withdrawn and
    given again) is one change, not two, so toggling cannot farm points.
    """

    share = models.ForeignKey("sharing.Share", on_delete=models.CASCADE, related_name="metric_changes")
    metric = models.CharField(max_length=20, choices=[(name, name) for name in METRIC_FIELDS])
    total = models.PositiveBigIntegerField()
    previous_total = models.PositiveBigIntegerField(null=True, blank=True)
    snapshot = models.ForeignKey(MetricSnapshot, on_delete=models.CASCADE, related_name="changes")
    occurred_at = models.DateTimeField()
    # Set by the points ledger when it has taken this change into account.
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["share", "metric", "total"], name="one_change_per_share_metric_total")
        ]
        indexes = [
            models.Index(fields=["occurred_at"], name="metricchange_new_idx", condition=models.Q(consumed_at=None))
        ]

    def __str__(self) -> str:
        return f"{self.metric} of share {self.share_id}: {self.previous_total} → {self.total}"

    @property
    def delta(self) -> int:
        return self.total - (self.previous_total or 0)


class ProviderHealth(models.Model):
    class Status(models.TextChoices):
        UNKNOWN = "unknown", "No pull yet"
        OK = "ok", "Working"
        NOT_CONFIGURED = "not_configured", "Not configured"
        CREDENTIALS = "credentials", "Credentials rejected"
        RATE_LIMITED = "rate_limited", "Rate limited"
        FAILING = "failing", "Failing"

    network = models.CharField(max_length=20, choices=Network.choices, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UNKNOWN)
    # No pulls are queued for this network before then (rate limit or rejected credentials).
    paused_until = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    credentials_rejected_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["network"]
        verbose_name_plural = "provider health"

    def __str__(self) -> str:
        return f"{self.get_network_display()}: {self.get_status_display()}"


class PullFailure(models.Model):
    share = models.ForeignKey("sharing.Share", on_delete=models.CASCADE, related_name="metric_pull_failures")
    slot = models.DateTimeField()
    network = models.CharField(max_length=20, choices=Network.choices)
    outcome = models.CharField(max_length=20)
    detail = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField()
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["share", "slot"], name="one_failure_per_share_slot")]

    def __str__(self) -> str:
        return f"Pull of share {self.share_id} at {self.slot:%Y-%m-%d %H:%M} failed: {self.outcome}"
