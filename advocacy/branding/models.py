from django.conf import settings
from django.db import models


class Branding(models.Model):
    """The organisation's look: one row (pk=1), edited by comms; read through selectors.branding_current()."""

    organisation_name = models.CharField(max_length=120, default="Your organisation")
    programme_name = models.CharField(max_length=80, default="Advocacy")
    # "#rrggbb"; services.branding_update refuses one that fails WCAG AA against white.
    accent_colour = models.CharField(max_length=7, default="#1f5fbf")
    logo = models.ImageField(upload_to="branding/", blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name_plural = "branding"

    def __str__(self) -> str:
        return f"{self.programme_name} ({self.organisation_name})"
