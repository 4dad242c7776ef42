from django.conf import settings
from django.db import models


class Delivery(models.Model):
    """One notification to one recipient (a person's inbox, or a Slack/Teams webhook).

    The row is unique on (kind, object_key, recipient) and is claimed with a conditional
    update before anything is sent, so a task that runs twice sends once.
    """

    class Kind(models.TextChoices):
        POST_SUBMITTED = "post_submitted", "Post waiting for review"
        SUGGESTION_SUBMITTED = "suggestion_submitted", "New suggestion"
        SUGGESTION_APPROVED = "suggestion_approved", "Suggestion approved"
        POLICY_MAJOR_VERSION = "policy_major_version", "New policy version to acknowledge"
        WEEKLY_DIGEST = "weekly_digest", "Weekly digest"
        POST_FEATURED = "post_featured", "Featured post (webhook or push)"
        DRAW_RESULT = "draw_result", "Draw result (push)"
        CONNECTION_EXPIRING = "connection_expiring", "Connected account about to lapse"
        INVITATION = "invitation", "Invitation waiting for an answer (e.g. to the ambassador programme)"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (will retry or gave up)"
        SKIPPED = "skipped", "Skipped (no longer relevant or not wanted)"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    # What the notification is about: "post:12:t40" (a submission), "suggestion:3", "2026-W14" (a digest week).
    object_key = models.CharField(max_length=60)
    # "user:<id>" for an email, "slack" or "teams" for a webhook.
    recipient = models.CharField(max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_key", "recipient"], name="one_delivery_per_recipient")
        ]
        indexes = [models.Index(fields=["user", "kind", "status", "sent_at"], name="delivery_last_sent_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_key} → {self.recipient} ({self.status})"


class PushSubscription(models.Model):
    """One browser (or installed app) that opted in to web push for its person.

    The endpoint is the push service's URL for that browser; p256dh and auth are the browser's
    keys (RFC 8291) that every message is encrypted for. Removed when the person turns push off
    on that device, or when the push service answers 404/410 (the browser dropped it).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=2000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"push subscription {self.pk} of user {self.user_id}"


class PushFrequency(models.TextChoices):
    IMMEDIATELY = "immediately", "As it happens"
    DAILY = "daily", "At most once a day"
    OFF = "off", "Off"


class PushPreference(models.Model):
    """How often one person wants pushes of one kind; no row means the kind's default (notifications.push)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_preferences")
    kind = models.CharField(max_length=30, choices=Delivery.Kind.choices)
    frequency = models.CharField(max_length=12, choices=PushFrequency.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_push_preference_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind} pushes for user {self.user_id}: {self.frequency}"
