"""Running the programme: goals bound to the figures the product already computes."""

import uuid

from django.conf import settings
from django.db import models


class Goal(models.Model):
    """A target for one measure over a period (whole days, both ends included), optionally narrowed.

    The measure is always computed from the dashboards' rollups (``programme/selectors.py``),
    so a goal's progress agrees with the comms dashboard for the same filters.
    """

    class Measure(models.TextChoices):
        ADOPTION_RATE = "adoption_rate", "Adoption rate (% of active employees who shared)"
        SHARE_RATE = "share_rate", "Share rate (shares per active employee)"
        HUMAN_CLICKS = "human_clicks", "Human clicks"
        ENGAGEMENT = "engagement", "Engagement (likes, reposts and replies)"
        IMPRESSIONS = "impressions", "Impressions"
        SHARES = "shares", "Shares"

    name = models.CharField(max_length=120, help_text='What it is for, e.g. "Recruiting: clicks on job posts".')
    measure = models.CharField(max_length=20, choices=Measure.choices)
    target = models.DecimalField(max_digits=12, decimal_places=1)
    start = models.DateField()
    end = models.DateField()
    campaign = models.ForeignKey(
        "content_library.Campaign", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey("people.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    content_type = models.CharField(max_length=20, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["end", "name", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="goal_end_after_start"),
            models.CheckConstraint(condition=models.Q(target__gt=0), name="goal_target_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_percent(self) -> bool:
        return self.measure == self.Measure.ADOPTION_RATE


class StatedAudience(models.Model):
    """What an employee says about their own audience where no network tells us: LinkedIn connections.

    Always shown as "stated", never mixed with what a network reported.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stated_audience")
    linkedin_connections = models.PositiveIntegerField()
    stated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user} states {self.linkedin_connections} LinkedIn connections"


class PulseSurvey(models.Model):
    """A short recurring survey for one period (e.g. "2026-12"), 3–5 questions on a 1–5 scale.

    Anonymity lives in the storage: the scores are kept only as counts (``PulseTally``) and
    comments with a random key and no time (``PulseComment``); who answered is a separate
    marker (``PulseParticipation``) that shares no key, order or time with either.
    """

    title = models.CharField(max_length=120)
    period = models.CharField(max_length=20, help_text='The period it asks about, e.g. "2026-12" or "2026-Q4".')
    opens_on = models.DateField()
    closes_on = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")), name="pulse_closes_after_opening"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.period})"


class PulseQuestion(models.Model):
    survey = models.ForeignKey(PulseSurvey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=200)

    class Meta:
        ordering = ["survey", "position"]
        constraints = [models.UniqueConstraint(fields=["survey", "position"], name="pulse_question_position_unique")]

    def __str__(self) -> str:
        return self.text


class PulseTally(models.Model):
    """How many respondents of a team gave a question a score: counts only, never an answer."""

    question = models.ForeignKey(PulseQuestion, on_delete=models.CASCADE, related_name="tallies")
    # The respondent's team when answering (None: no team); groups of fewer than 5 respondents are never shown.
    team = models.ForeignKey("people.Team", null=True, on_delete=models.SET_NULL, related_name="+")
    score = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["question", "team", "score"], name="pulse_tally_unique", nulls_distinct=False
            ),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="pulse_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.count} × {self.score}"


class PulseComment(models.Model):
    """An optional comment: a random key (no insertion order), no person, no time, no team."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(PulseSurvey, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField(max_length=1000)

    def __str__(self) -> str:
        return "pulse comment"


class PulseParticipation(models.Model):
    """That a person has answered a survey (to refuse a second answer); nothing about what they answered."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(PulseSurvey, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "user"], name="pulse_answered_once")]

    def __str__(self) -> str:
        return f"answered {self.survey_id}"
