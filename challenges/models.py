"""Challenges: a prompt with a hashtag and dates, and the posts employees write for it.

An entry's post is a content_library Post of kind "employee" (see employee_post_create),
so its share is an ordinary sharing.Share: tracked link, human clicks, points and draws
work on it unchanged. The challenge's hashtag lives on a campaign made with the challenge,
which is how the caption rules require it and how a draw for that campaign counts entries.
"""

from django.conf import settings
from django.db import models


class Challenge(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=160, unique=True)
    prompt = models.TextField(max_length=2000)
    # The campaign carries the hashtag (one truth for the caption rules and for draws).
    campaign = models.OneToOneField("content_library.Campaign", on_delete=models.PROTECT, related_name="challenge")
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="challenge_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def hashtag(self) -> str:
        return self.campaign.hashtag


class Entry(models.Model):
    """One employee's own post for a challenge, and what became of the offer to put it in the library."""

    class Promotion(models.TextChoices):
        NONE = "", "Not asked"
        ASKED = "asked", "Author asked"
        CONSENTED = "consented", "Author agreed"
        DECLINED = "declined", "Author declined"
        PROMOTED = "promoted", "In the library"

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="entries")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="challenge_entries")
    post = models.OneToOneField("content_library.Post", on_delete=models.CASCADE, related_name="challenge_entry")
    # The share made with the entry: its tracked link and human clicks.
    share = models.ForeignKey("sharing.Share", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    promotion = models.CharField(max_length=10, choices=Promotion.choices, blank=True, default="")
    promotion_asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    promotion_asked_at = models.DateTimeField(null=True, blank=True)
    # When the author answered; kept as the record of their consent (or refusal).
    promotion_answered_at = models.DateTimeField(null=True, blank=True)
    promoted_post = models.OneToOneField(
        "content_library.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="promoted_from_entry"
    )
    promoted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["challenge", "author"], name="entry_challenge_author_idx")]

    def __str__(self) -> str:
        return f"{self.author_id} for {self.challenge_id}: {self.post_id}"
