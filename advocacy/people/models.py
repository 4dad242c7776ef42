from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac

from advocacy.shapes import (
    bluesky_handle_validate,
    linkedin_profile_url_validate,
    mastodon_handle_validate,
    x_handle_validate,
)

from .roles import Role

# Each network's own grammar (advocacy/shapes.py); the model holds them so forms, the API and the admin agree.
mastodon_handle_validator = mastodon_handle_validate
bluesky_handle_validator = bluesky_handle_validate
x_handle_validator = x_handle_validate


class Team(models.Model):
    """A department or location; used for content targeting and team leaderboards."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", "Department"
        LOCATION = "location", "Location"

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """An employee. Roles are groups; the profile lives on the user to keep reads to one row."""

    class DigestFrequency(models.TextChoices):
        WEEKLY = "weekly", "Weekly digest"
        NEVER = "never", "No digest"

    display_name = models.CharField(max_length=100, blank=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    manager = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    avatar = models.ImageField(upload_to="avatars/%Y/%m/", blank=True)
    job_title = models.CharField(max_length=100, blank=True)
    linkedin_profile_url = models.URLField(blank=True, validators=[linkedin_profile_url_validate])
    x_handle = models.CharField(max_length=16, blank=True, validators=[x_handle_validator])
    mastodon_handle = models.CharField(max_length=120, blank=True, validators=[mastodon_handle_validator])
    bluesky_handle = models.CharField(max_length=253, blank=True, validators=[bluesky_handle_validator])
    digest_frequency = models.CharField(max_length=10, choices=DigestFrequency.choices, default=DigestFrequency.WEEKLY)
    notify_suggestion_updates = models.BooleanField(default=True)
    notify_policy_updates = models.BooleanField(default=True)
    hide_from_leaderboards = models.BooleanField(
        default=False, help_text="Show me as an anonymous advocate on leaderboards."
    )
    # Raised to end every session at once (deactivation); mixed into the session hash, so old
    # cookies stay dead even if the account is reactivated later.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["display_name", "username"]
        permissions = [
            ("access_employee_area", "Can use the employee area (library, sharing, own stats)"),
            ("access_comms_workspace", "Can use the comms workspace (curate content, review suggestions)"),
            ("access_hr_workspace", "Can use the HR workspace (leaderboard review, draws, exports)"),
        ]

    def __str__(self) -> str:
        return self.name

    def _get_session_auth_hash(self, secret=None):
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)  # sessions from before epochs stay valid
        return salted_hmac(
            "advocacy.people.User.session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def mastodon_instance(self) -> str:
        """The host part of the Mastodon handle, where this person's statuses live."""
        if "@" not in self.mastodon_handle.lstrip("@"):
            return ""
        return self.mastodon_handle.lstrip("@").split("@", 1)[1].lower()

    def has_role(self, role: Role) -> bool:
        return any(group.name == role.value for group in self.groups.all())


class ExternalIdentity(models.Model):
    """Who this person is at an identity provider or directory (OIDC issuer, SAML IdP, SCIM client).

    One person may have several (an OIDC login and a SCIM record); each (source, subject) pair
    belongs to exactly one person, so a renamed email never splits or merges accounts.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    source = models.CharField(max_length=255, help_text="'oidc:<issuer>', 'saml:<entity id>' or 'scim'.")
    subject = models.CharField(max_length=255, help_text="The provider's stable id for the person (sub, NameID, id).")
    created_at = models.DateTimeField(auto_now_add=True)
    last_synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "subject"], name="external_identity_unique")]

    def __str__(self) -> str:
        return f"{self.source} {self.subject}"


class AuditEntry(models.Model):
    """Who changed whose roles or switched whose account off or on, when, how and why (append-only).

    Written by the services themselves (user_set_roles, user_deactivate, user_reactivate,
    person_erase), so HR's pages, the admin, imports, SCIM and SSO are all in it.
    """

    class Action(models.TextChoices):
        ROLES = "roles", "Roles changed"
        DEACTIVATED = "deactivated", "Deactivated"
        REACTIVATED = "reactivated", "Reactivated"
        ERASED = "erased", "Erased"

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="audit_entries")
    # Nobody: the change came from a provider (SCIM, SSO) or the system.
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_actions")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    source = models.CharField(max_length=255, help_text="'hr', 'admin', 'import', 'invitation', 'scim', 'oidc:…'.")
    before = models.JSONField(default=list, blank=True)
    after = models.JSONField(default=list, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["person", "-at"], name="audit_person_at")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.person_id} by {self.actor_id or self.source}"

    @property
    def source_label(self) -> str:
        if self.source.startswith(("oidc:", "saml:")):
            return f"Single sign-on ({self.source.split(':', 1)[0].upper()})"
        return AUDIT_SOURCE_LABELS.get(self.source, self.source)


AUDIT_SOURCE_LABELS = {
    "hr": "HR directory",
    "admin": "Django admin",
    "import": "Spreadsheet import",
    "invitation": "Invitation",
    "erasure": "Erasure",
    "scim": "SCIM",
    "system": "System",
}


class PeopleImport(models.Model):
    """One uploaded spreadsheet: validated in full at upload, applied by Celery in batches."""

    class Status(models.TextChoices):
        PREVIEW = "preview", "Waiting for confirmation"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Stopped"
        DISCARDED = "discarded", "Discarded"

    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="people_imports")
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEW)
    create_teams = models.BooleanField(default=False)
    total_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.processed_rows * 100 // self.total_rows)


class PeopleImportRow(models.Model):
    """One row of an import as read and checked; the task applies rows, never the file again."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending"
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        UNCHANGED = "unchanged", "No change"

    people_import = models.ForeignKey(PeopleImport, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(help_text="The row's line in the file (the header is line 1).")
    email = models.CharField(max_length=254, blank=True)
    display_name = models.CharField(max_length=100, blank=True)
    team_name = models.CharField(max_length=100, blank=True)
    # None: the cell was empty, so an existing person's roles are left alone.
    roles = models.JSONField(null=True, blank=True)
    manager_email = models.CharField(max_length=254, blank=True)
    errors = models.JSONField(default=list, blank=True)
    planned = models.CharField(max_length=20, blank=True, help_text="What the preview expects: create/update/none.")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["people_import", "line"]
        constraints = [models.UniqueConstraint(fields=["people_import", "line"], name="import_row_line_unique")]

    def __str__(self) -> str:
        return f"Line {self.line} of import {self.people_import_id}"


class Invitation(models.Model):
    """A one-time link to join: the token is an HMAC of (id, nonce) under SECRET_KEY, never stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(help_text="Where it was sent.")
    nonce = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="invitations_sent")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Invitation {self.pk} to {self.email}"
