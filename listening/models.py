"""Listening: the hashtags and handles comms follow, and the public posts that mention them.

- ``Term``: a hashtag (``#LaunchWeek``) or a Bluesky handle (``acme.bsky.social``) to listen for.
- ``Mention``: one public post, stored once per (network, remote id) however many terms,
  runs or Mastodon instances find it; ``employee`` is set when its author is one of ours.
- ``MentionDay``: per term, network and local day, how many mentions and how many by employees,
  recounted from the mentions (never incremented), so a run repeated or killed halfway
  leaves the same numbers.
- ``Source``: per network (and Mastodon instance), whether reading works, and why not.
"""

from django.conf import settings
from django.db import models

from advocacy.networks import Network


class Term(models.Model):
    class Kind(models.TextChoices):
        HASHTAG = "hashtag", "Hashtag"
        HANDLE = "handle", "Bluesky handle"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    # As comms typed it, cleaned: "#LaunchWeek", "acme.bsky.social".
    value = models.CharField(max_length=253)
    # Case-folded value: "#launchweek" and "#LaunchWeek" are the same term.
    key = models.CharField(max_length=253, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "key"]

    def __str__(self) -> str:
        return self.value


class Mention(models.Model):
    network = models.CharField(max_length=20, choices=Network.choices)
    # Bluesky: the post's at:// URI; Mastodon: the status's ActivityPub uri (the same on every instance).
    remote_id = models.CharField(max_length=500)
    url = models.URLField(max_length=500, blank=True)
    author_handle = models.CharField(max_length=253)
    author_name = models.CharField(max_length=100, blank=True)
    # Sanitised with nh3 (listening/parsing.py) before it is stored: only p, br and links remain.
    text_html = models.TextField(blank=True)
    posted_at = models.DateTimeField()
    collected_at = models.DateTimeField()
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="listening_mentions"
    )
    terms = models.ManyToManyField(Term, related_name="mentions")
    is_demo = models.BooleanField(default=False, help_text="Written by seed_demo from demo payloads, not collected.")

    class Meta:
        ordering = ["-posted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["network", "remote_id"], name="one_mention_per_remote_post")]
        indexes = [models.Index(fields=["-posted_at", "-id"], name="mention_recent_idx")]

    def __str__(self) -> str:
        return f"{self.get_network_display()} {self.author_handle}: {self.remote_id}"


class MentionDay(models.Model):
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="days")
    network = models.CharField(max_length=20, choices=Network.choices)
    day = models.DateField()
    mentions = models.PositiveIntegerField(default=0)
    by_employees = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "term", "network"]
        constraints = [models.UniqueConstraint(fields=["term", "network", "day"], name="one_count_per_term_day")]

    def __str__(self) -> str:
        return f"{self.term} on {self.network}, {self.day}: {self.mentions}"


class Source(models.Model):
    """One place mentions are read from: Bluesky's AppView, or one Mastodon instance."""

    network = models.CharField(max_length=20, choices=Network.choices)
    instance = models.CharField(max_length=253, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    # After a 429: not asked again before then.
    paused_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["network", "instance"]
        constraints = [models.UniqueConstraint(fields=["network", "instance"], name="one_listening_source")]

    def __str__(self) -> str:
        return f"{self.get_network_display()} {self.instance}".strip()

    @property
    def working(self) -> bool:
        return self.last_success_at is not None and (
            self.last_failure_at is None or self.last_success_at >= self.last_failure_at
        )
