"""Running the programme: goals bound to the figures the product already computes."""

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
