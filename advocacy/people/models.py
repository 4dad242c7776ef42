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
