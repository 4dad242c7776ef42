"""The points ledger and the standings precomputed from it.

The ledger (PointEvent) is append-only: a row is never updated or deleted.
A void, an HR adjustment and a recompute correction are rows of their own, so
every total can be traced back to what caused it. Standings are a cache of
the ledger that the full rebuild can always recreate.
"""

from datetime import date

from django.conf import settings
from django.db import models

# All-time standings use this period start so (period, period_start) is never NULL
# and one unique constraint covers every board.
ALL_TIME_START = date(1970, 1, 1)


class PointsRules(models.Model):
    """One version of the points configuration; the newest row applies from its creation on.

    Rows are never edited: a change is a new version, and each ledger event
    records the version it was priced with. The defaults are the documented
    defaults (README, "Points and leaderboards").
    """

    class HiddenDisplay(models.TextChoices):
        ANONYMOUS = "anonymous", "Show as “Anonymous advocate”"
        OMIT = "omit", "Leave out of the boards"

    version = models.PositiveIntegerField(unique=True, editable=False)
    share = models.PositiveIntegerField(default=10, help_text="Sharing a post.")
    featured_share = models.PositiveIntegerField(
        default=15, help_text="Sharing a featured post (instead of the above)."
    )
    human_click = models.PositiveIntegerField(default=1, help_text="Each human click on your tracked link.")
    click_cap_per_share_per_day = models.PositiveIntegerField(
        default=20, help_text="Clicks that earn points, per share and per day."
    )
    like = models.PositiveIntegerField(default=1, help_text="Each like on your published post.")
    repost = models.PositiveIntegerField(default=3, help_text="Each repost of your published post.")
    reply = models.PositiveIntegerField(default=2, help_text="Each reply to your published post.")
    suggestion_approved = models.PositiveIntegerField(default=25, help_text="A content suggestion approved.")
    streak_bonus = models.PositiveIntegerField(
        default=20, help_text="Bonus for sharing in a week after a week in which you also shared."
    )
    hidden_display = models.CharField(
        max_length=10,
        choices=HiddenDisplay.choices,
        default=HiddenDisplay.ANONYMOUS,
        help_text="How people who chose “hide me” appear on boards.",
    )
    exclude_staff = models.BooleanField(
        default=True, help_text="Leave comms admins and HR out of the individual boards."
    )
    note = models.CharField(max_length=300, help_text="Why the points changed (kept in the history).")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = "points rules version"

    def __str__(self) -> str:
        return f"Points rules v{self.version}"


class PointEvent(models.Model):
    """One cause of points, keyed so the same cause can never award twice."""

    class Kind(models.TextChoices):
        SHARE = "share", "Shared a post"
        CLICKS = "clicks", "Human clicks"
        METRIC = "metric", "Likes, reposts and replies"
        SUGGESTION = "suggestion", "Suggestion approved"
        STREAK = "streak", "Weekly streak bonus"
        ADJUSTMENT = "adjustment", "Adjustment by HR"
        VOID = "void", "Voided by HR"
        CORRECTION = "correction", "Recompute correction"

    cause_key = models.CharField(max_length=120, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="point_events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    points = models.IntegerField()
    # How many things the event counts: clicks, likes+reposts+replies, streak length in weeks.
    quantity = models.IntegerField(default=1)
    rules = models.ForeignKey(PointsRules, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    # When the cause happened; periods are fixed at award time in the leaderboard time zone,
    # so the rebuild needs no time-zone arithmetic in SQL and a void lands in the same periods.
    occurred_at = models.DateTimeField()
    week = models.DateField(help_text="Monday of the ISO week of occurred_at.")
    month = models.DateField()
    quarter = models.DateField()
    # Team and campaign at award time: later team moves do not reshuffle past team boards.
    team_id_at_award = models.BigIntegerField(null=True, blank=True)
    campaign_id_at_award = models.BigIntegerField(null=True, blank=True)
    # Plain ids rather than foreign keys: the ledger outlives a deleted share or suggestion.
    share_ref = models.BigIntegerField(null=True, blank=True)
    day = models.DateField(null=True, blank=True, help_text="The day of a click batch.")
    target = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups"
    )  # the event a void or correction applies to
    description = models.CharField(max_length=300)
    reason = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["user", "occurred_at"], name="pointevent_user_idx"),
            models.Index(fields=["kind", "share_ref", "day"], name="pointevent_share_idx"),
            models.Index(fields=["week"], name="pointevent_week_idx"),
            # What the click scan asks each minute: the click batches already awarded for the last days.
            models.Index(
                fields=["day", "share_ref"], name="pointevent_click_day_idx", condition=models.Q(kind="clicks")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind__in=["adjustment", "void", "correction"]) | ~models.Q(reason=""),
                name="pointevent_hr_rows_have_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.points:+d} for {self.user_id}: {self.cause_key}"


class PendingPointEvent(models.Model):
    """The outbox of ledger events not yet applied to the standings.

    Written in the same transaction as the event; the apply task deletes the
    rows it applies in the transaction that updates the standings, so an
    event is applied exactly once even if the worker dies halfway.
    """

    event = models.OneToOneField(PointEvent, primary_key=True, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"pending {self.event_id}"


class Standing(models.Model):
    """One person's total on one board (period × scope), maintained from the ledger."""

    class Period(models.TextChoices):
        WEEK = "week", "This week"
        MONTH = "month", "This month"
        QUARTER = "quarter", "This quarter"
        ALL = "all", "All time"

    class Scope(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        TEAM = "team", "Team"
        CAMPAIGN = "campaign", "Campaign"

    period = models.CharField(max_length=8, choices=Period.choices)
    period_start = models.DateField()
    scope = models.CharField(max_length=8, choices=Scope.choices)
    scope_id = models.BigIntegerField(default=0)
    # Standings are a cache the rebuild recreates: no database constraint or extra index to
    # maintain on every write (the unique constraint below already starts lookups by board).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    points = models.IntegerField(default=0)
    events = models.IntegerField(default=0)
    # The latest event time on this board: with equal points, whoever got there first ranks higher.
    reached_at = models.DateTimeField()
    # Comms admins and HR (by default), deactivated people, and hidden people when they are omitted.
    unranked = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "period_start", "scope", "scope_id", "user"], name="one_standing_per_board"
            )
        ]
        indexes = [
            models.Index(
                fields=["period", "period_start", "scope", "scope_id", "unranked", "-points", "reached_at", "user"],
                name="standing_rank_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.points} ({self.period} {self.period_start} {self.scope} {self.scope_id})"


class StandingCount(models.Model):
    """How many ranked people have exactly ``points`` on a board.

    A person's rank is one plus the people with more points (a sum over this small
    table) plus those tied who got there first, so reading a rank does not count
    through every standing above it.
    """

    period = models.CharField(max_length=8, choices=Standing.Period.choices)
    period_start = models.DateField()
    scope = models.CharField(max_length=8, choices=Standing.Scope.choices)
    scope_id = models.BigIntegerField(default=0)
    points = models.IntegerField()
    ranked = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "period_start", "scope", "scope_id", "points"], name="one_count_per_board_points"
            )
        ]
        # Counts an apply empties are deleted straight after; this index finds them without a scan.
        indexes = [models.Index(fields=["id"], condition=models.Q(ranked=0), name="standing_count_emptied")]

    def __str__(self) -> str:
        return f"{self.ranked} with {self.points}"


class TeamStanding(models.Model):
    """A team's total on one board; teams rank by points per member so small teams can win."""

    period = models.CharField(max_length=8, choices=Standing.Period.choices)
    period_start = models.DateField()
    scope = models.CharField(max_length=8, choices=Standing.Scope.choices)
    scope_id = models.BigIntegerField(default=0)
    team = models.ForeignKey("people.Team", on_delete=models.CASCADE, related_name="+")
    points = models.IntegerField(default=0)
    members = models.IntegerField(default=0)
    average = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "period_start", "scope", "scope_id", "team"], name="one_team_standing_per_board"
            )
        ]

    def __str__(self) -> str:
        return f"team {self.team_id}: {self.points}"


class Recompute(models.Model):
    """An explicit, audited HR recompute: the only way past events get re-priced (by correction rows)."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=500)
    rules = models.ForeignKey(PointsRules, on_delete=models.PROTECT, related_name="+")
    since = models.DateField(null=True, blank=True)
    events_changed = models.IntegerField(default=0)
    points_delta = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Recompute {self.pk} by {self.actor_id}"


class ReviewFlags(models.Model):
    """One person's click anomaly flags on one board period, computed by ``leaderboard.refresh_review_flags``.

    A cache of ``leaderboard.anomalies.flags_for`` over the click rows (``review_flags.py``
    keeps it current and can always recreate it), so the HR review reads one row per person
    instead of their clicks. Flags of failed pasted posts are not stored: they are read live.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=8, choices=Standing.Period.choices)
    period_start = models.DateField()
    # [{"code": ..., "message": ..., "share_id": ...}, ...] in the order flags_for gives them.
    flags = models.JSONField(default=list)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "period_start", "user"], name="one_review_flags_per_board")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {len(self.flags)} flags ({self.period} {self.period_start})"


class ReviewFlagsBoard(models.Model):
    """How far the stored flags of one board period have read the clicks (the refresh's cursor)."""

    period = models.CharField(max_length=8, choices=Standing.Period.choices)
    period_start = models.DateField()
    click_cursor = models.BigIntegerField(default=0)
    computed_at = models.DateTimeField()
    rebuilt_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "period_start"], name="one_review_flags_board")]

    def __str__(self) -> str:
        return f"review flags {self.period} {self.period_start} up to click {self.click_cursor}"
