from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class GuidelineDocument(models.Model):
    """A guideline written by comms (the social media policy, the brand guide, ...); its text lives in versions."""

    class Kind(models.TextChoices):
        POLICY = "policy", "Social media policy"
        BRAND = "brand", "Brand style guide"
        OTHER = "other", "Other guideline"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.CharField(max_length=300, blank=True, help_text="One line shown in the table of contents.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the portal (lowest first).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "title"]
        constraints = [
            # Acknowledgement and the share flow ask for "the" policy: there can only be one.
            models.UniqueConstraint(fields=["kind"], condition=models.Q(kind="policy"), name="one_social_media_policy"),
        ]

    def __str__(self) -> str:
        return self.title


class GuidelineVersion(models.Model):
    """One published text of a document. Versions are never edited; a change is a new version."""

    document = models.ForeignKey(GuidelineDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField(max_length=100_000, help_text="Markdown.")
    # body rendered to HTML and sanitised with the allow-list; only this is ever shown.
    body_html = models.TextField(blank=True)
    change_summary = models.CharField(max_length=500, blank=True)
    is_major = models.BooleanField(default=False, help_text="Major versions of the policy ask everyone again.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="one_version_number_per_document"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="version_numbers_start_at_one"),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


class Acknowledgement(models.Model):
    """A person confirmed they read this version of the policy."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="acknowledgements")
    # PROTECT: an acknowledgement is evidence; the version it points at must outlive it.
    version = models.ForeignKey(GuidelineVersion, on_delete=models.PROTECT, related_name="acknowledgements")
    acknowledged_at = models.DateTimeField()

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="one_acknowledgement_per_version")]

    def __str__(self) -> str:
        return f"{self.user_id} acknowledged {self.version_id}"


class GuidelineImage(models.Model):
    """An image comms uploaded for use in guideline Markdown (re-encoded; served from our own media)."""

    image = models.ImageField(upload_to="guidelines/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt_text = models.CharField(max_length=300)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.alt_text


class BannedTerm(models.Model):
    """A word or phrase no caption may contain (matched case-insensitively as whole words)."""

    term = models.CharField(max_length=120)
    reason = models.CharField(max_length=300, help_text="Shown to the employee when their caption contains it.")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["term"]
        constraints = [models.UniqueConstraint(Lower("term"), name="banned_term_unique_ignoring_case")]

    def __str__(self) -> str:
        return self.term


class PortalSettings(models.Model):
    """The one row of settings comms edit in the portal: disclosures and the program lead's contact card."""

    disclosure = models.CharField(
        max_length=60,
        blank=True,
        default="#employee",
        help_text="Every share must carry this (empty: no disclosure required).",
    )
    reward_draw_disclosure = models.CharField(
        max_length=60,
        blank=True,
        default="#ad",
        help_text="Required instead when the share enters a reward draw.",
    )
    lead_name = models.CharField("program lead", max_length=120, blank=True)
    lead_title = models.CharField("job title", max_length=120, blank=True)
    lead_email = models.EmailField("email", blank=True)
    lead_phone = models.CharField("phone", max_length=40, blank=True)
    lead_note = models.CharField("note", max_length=300, blank=True, help_text="e.g. when to get in touch.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "portal settings"
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="portal_settings_single_row")]

    def __str__(self) -> str:
        return "Guidelines portal settings"


class AcknowledgementReminder(models.Model):
    """A reminder email to acknowledge a policy version; sent_at is set by the task that claims it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(GuidelineVersion, on_delete=models.CASCADE, related_name="reminders")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["user", "version", "requested_at"], name="reminder_recent_idx")]

    def __str__(self) -> str:
        return f"reminder to {self.user_id} for {self.version_id}"
