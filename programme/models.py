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


class AmbassadorInvitation(models.Model):
    """Comms asking a person to be an ambassador, and what became of it, each step with its time.

    Joining is voluntary: the person accepts or declines, and an ambassador may leave at
    any time. A person has at most one open invitation (invited or accepted, not left);
    after a decline or leaving, a new invitation is a new row, so the history stays.
    """

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        ACCEPTED = "accepted", "Ambassador"
        DECLINED = "declined", "Declined"
        LEFT = "left", "Left"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    message = models.TextField(max_length=1000, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    invited_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-invited_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status__in=["invited", "accepted"]),
                name="one_open_ambassador_invitation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_status_display()}"


class Cohort(models.Model):
    """A named group of ambassadors (e.g. "2027 Insiders"), for beta groups and for mobilising together."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(max_length=1000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class CohortMember(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["cohort", "added_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["cohort", "user"], name="cohort_member_once")]

    def __str__(self) -> str:
        return f"{self.user} in {self.cohort}"


class BetaGroup(models.Model):
    """A campaign limited to a cohort until it opens to everyone.

    Until ``opens_to_everyone_at`` the campaign's posts are visible (feed, API, share) only to
    the cohort's members; the rule is registered into ``content_library.selectors.post_visible_to_q``.
    """

    campaign = models.OneToOneField("content_library.Campaign", on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="beta_groups")
    opens_to_everyone_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["opens_to_everyone_at", "pk"]

    def __str__(self) -> str:
        return f"{self.campaign} for {self.cohort}"


class PostFeedback(models.Model):
    """One comment in an upcoming post's feedback thread (ambassadors and comms)."""

    post = models.ForeignKey("content_library.Post", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["post", "created_at", "pk"]
        indexes = [models.Index(fields=["post", "created_at"], name="feedback_post_time_idx")]

    def __str__(self) -> str:
        return f"{self.author} on {self.post_id}"


class ProgrammeSettings(models.Model):
    """The programme's switches, one row (pk=1): the public Insiders page is off until comms turn it on."""

    insiders_page_enabled = models.BooleanField(default=False)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return "Programme settings"


def insider_photo_path(instance, filename: str) -> str:
    return f"insiders/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1].lower()}"


class InsiderProfile(models.Model):
    """An ambassador on the public Insiders page: comms feature them, they consent (revocably).

    Shown only while featured, consented and not withdrawn, and while still an ambassador.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="insider_profile")
    featured_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    featured_at = models.DateTimeField()
    bio = models.CharField(max_length=280, blank=True)
    # Re-encoded from pixels (advocacy.imaging); without one, the page shows their avatar.
    photo = models.ImageField(upload_to=insider_photo_path, blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Insider {self.user}"

    @property
    def is_consenting(self) -> bool:
        return self.consented_at is not None and self.withdrawn_at is None


class InsiderPick(models.Model):
    """One of an insider's picks: a post they shared, linked through their own tracked link."""

    profile = models.ForeignKey(InsiderProfile, on_delete=models.CASCADE, related_name="picks")
    share = models.ForeignKey("sharing.Share", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["profile", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["profile", "share"], name="insider_pick_once")]

    def __str__(self) -> str:
        return f"pick {self.share_id}"
