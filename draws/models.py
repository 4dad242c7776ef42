"""Reward draws: what HR sets up, what is frozen and committed to, and who won.

The cryptography and the ordering live in ``draws.engine``; these rows keep its
inputs and outputs so anyone can recompute a draw later.
"""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from advocacy.people.roles import Role


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a time zone name such as Europe/Paris or UTC.")


def default_excluded_roles() -> list[str]:
    return [Role.COMMS_ADMIN.value, Role.HR.value]


class Draw(models.Model):
    class Weighting(models.TextChoices):
        PER_PERSON = "per_person", "One entry per eligible person"
        PER_SHARE = "per_share", "One entry per qualifying share (capped per person)"
        POINTS = "points", "Entries proportional to points (capped)"

    name = models.CharField(max_length=150)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    # Eligibility: shares first made in [period_start, period_end), optionally only for one campaign.
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    campaign = models.ForeignKey(
        "content_library.Campaign", null=True, blank=True, on_delete=models.PROTECT, related_name="draws"
    )
    minimum_shares = models.PositiveIntegerField(default=0)
    require_policy_acknowledgement = models.BooleanField(default=True)
    excluded_roles = models.JSONField(default=default_excluded_roles, blank=True)
    excluded_people = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    weighting = models.CharField(max_length=20, choices=Weighting.choices, default=Weighting.PER_PERSON)
    weight_cap = models.PositiveIntegerField(default=10)
    free_entry_enabled = models.BooleanField(default=False)
    max_prizes_per_person = models.PositiveSmallIntegerField(default=1)
    # Named at creation (e.g. "drand quicknet round 12345678"), committed to at freeze, its value entered at draw.
    public_randomness_source = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # --- Frozen list and commitment (set once, by services.draw_freeze) ---
    frozen_at = models.DateTimeField(null=True, blank=True)
    list_text = models.TextField(blank=True)
    list_sha256 = models.CharField(max_length=64, blank=True)
    seed_sha256 = models.CharField(max_length=64, blank=True)
    # Until drawn_at is set: the seed sealed with SECRET_KEY (services._sealed), never shown.
    # From the draw on: the seed itself, published for verification.
    seed_hex = models.CharField(max_length=64, blank=True)
    # Never shown: it would let anyone map entrant ids back to people (see draws.engine).
    entrant_key_hex = models.CharField(max_length=64, blank=True)
    entrant_count = models.PositiveIntegerField(default=0)
    total_weight = models.PositiveBigIntegerField(default=0)

    # --- The draw (set once, by services.draw_run) ---
    drawn_at = models.DateTimeField(null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    public_randomness_value = models.CharField(max_length=500, blank=True)
    mix = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-closes_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="draw_window_positive"),
            models.CheckConstraint(
                condition=models.Q(period_end__gt=models.F("period_start")), name="draw_period_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(drawn_at__isnull=True) | models.Q(frozen_at__isnull=False),
                name="draw_drawn_after_frozen",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def engine_id(self) -> str:
        """The draw id the engine mixes in and the frozen list names."""
        return str(self.pk)

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def is_drawn(self) -> bool:
        return self.drawn_at is not None

    @property
    def seed_revealed(self) -> str:
        return self.seed_hex if self.is_drawn else ""


class Prize(models.Model):
    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="prizes")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=200)
    quantity = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["draw", "position"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "position"], name="one_prize_per_position"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="prize_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}"


class RulesVersion(models.Model):
    """Official rules text; every version is kept and none is added once the entry window opens."""

    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="rules_versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["draw", "-number"]
        constraints = [models.UniqueConstraint(fields=["draw", "number"], name="one_rules_version_per_number")]

    def __str__(self) -> str:
        return f"{self.draw} rules v{self.number}"


class FreeEntryRequest(models.Model):
    """The way in that needs no sharing; counts like one qualifying share."""

    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="free_entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["draw", "user"], name="one_free_entry_per_person")]

    def __str__(self) -> str:
        return f"free entry by {self.user_id} in {self.draw_id}"


class Entrant(models.Model):
    """One line of a frozen list, with the person behind it (that link is never published)."""

    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="entrants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entrant_id = models.CharField(max_length=64)
    weight = models.PositiveBigIntegerField()
    shares = models.PositiveIntegerField(default=0)
    free_entry = models.BooleanField(default=False)

    class Meta:
        ordering = ["draw", "entrant_id"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "user"], name="one_entrant_per_person"),
            models.UniqueConstraint(fields=["draw", "entrant_id"], name="unique_entrant_id"),
        ]

    def __str__(self) -> str:
        return self.entrant_id


class Winner(models.Model):
    """Who holds prize slot ``slot``; a redraw marks the holder removed (with HR's reason) and adds the next."""

    class Status(models.TextChoices):
        WON = "won", "Won"
        DECLINED = "declined", "Declined"
        INELIGIBLE = "ineligible", "Ineligible"

    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="winners")
    prize = models.ForeignKey(Prize, on_delete=models.PROTECT, related_name="winners")
    slot = models.PositiveIntegerField()
    entrant = models.ForeignKey(Entrant, on_delete=models.PROTECT, related_name="wins")
    position = models.PositiveIntegerField(help_text="Place in the draw's full ordering (0 = first).")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WON)
    # Set when removed: the order of removals is what a verifier replays.
    removal_number = models.PositiveIntegerField(null=True, blank=True)
    removal_reason = models.TextField(blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["draw", "slot", "position"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "position"], name="one_winner_per_position"),
            models.UniqueConstraint(
                fields=["draw", "slot"], condition=models.Q(status="won"), name="one_current_winner_per_slot"
            ),
            models.UniqueConstraint(
                fields=["draw", "removal_number"],
                condition=models.Q(removal_number__isnull=False),
                name="one_removal_per_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.draw}: slot {self.slot} → {self.entrant_id}"

    @property
    def is_current(self) -> bool:
        return self.status == self.Status.WON
