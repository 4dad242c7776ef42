"""What SCIM clients see: bearer tokens, provisioned users and groups, and who SCIM switched off."""

import uuid

from django.conf import settings
from django.db import models


class ScimToken(models.Model):
    """A bearer token an identity provider uses; only its SHA-256 is kept (the token is shown once)."""

    name = models.CharField(max_length=100, help_text="Which provider or connection uses it, e.g. 'Entra ID'.")
    prefix = models.CharField(max_length=12, help_text="The first characters, so HR can tell tokens apart.")
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="scim_tokens_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ScimUser(models.Model):
    """A person as a SCIM client knows them: our SCIM id, their userName and externalId, and what was sent.

    `data` holds the attributes the client set (name, emails, displayName, the enterprise
    extension…), so a GET returns what was PUT; the person's account is kept in step with it
    through advocacy.people.identity.person_sync (source "scim", subject = our SCIM id).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim_user")
    user_name = models.CharField(max_length=255)
    # userName is unique without regard to case (RFC 7643 §4.1.1).
    user_name_key = models.CharField(max_length=255, unique=True)
    external_id = models.CharField(max_length=255, blank=True, db_index=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.user_name


class ScimGroup(models.Model):
    """A group a SCIM client pushed; its displayName decides whether it gives a role or a team (README)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    display_name = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, blank=True, db_index=True)
    members = models.ManyToManyField(ScimUser, through="ScimMembership", related_name="scim_groups")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.display_name


class ScimMembership(models.Model):
    group = models.ForeignKey(ScimGroup, on_delete=models.CASCADE)
    member = models.ForeignKey(ScimUser, on_delete=models.CASCADE)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "member"], name="scim_membership_unique")]

    def __str__(self) -> str:
        return f"{self.member} in {self.group}"


class ScimDeactivation(models.Model):
    """Append-only: SCIM switched this person off (active=false or DELETE), when, and through which token.

    Kept after the SCIM record is deleted, so HR review and the draws can still say why
    someone is not ranked or not entered.
    """

    class How(models.TextChoices):
        ACTIVE_FALSE = "active=false", "active=false"
        DELETE = "DELETE", "DELETE"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim_deactivations")
    at = models.DateTimeField(auto_now_add=True)
    how = models.CharField(max_length=20, choices=How.choices)
    token_name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} deactivated by SCIM ({self.how})"
