from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError

from .models import Branding

CACHE_KEY = "branding:current:v1"
CACHE_SECONDS = 3600


@dataclass(frozen=True)
class CurrentBranding:
    organisation_name: str
    programme_name: str
    accent_colour: str
    logo_url: str
    version: str  # changes with every edit: part of /branding.css?v=… so browsers fetch the new colour

    @property
    def logo_absolute_url(self) -> str:
        """For emails, read away from the site: a media URL on this site gets SITE_URL in front."""
        if self.logo_url.startswith("/"):
            return f"{settings.SITE_URL}{self.logo_url}"
        return self.logo_url

    @property
    def is_default_accent(self) -> bool:
        return self.accent_colour.lower() == Branding._meta.get_field("accent_colour").default


def branding_current() -> CurrentBranding:
    """The organisation's branding (defaults until comms save one), cached; services.branding_update clears it."""
    cached = cache.get(CACHE_KEY)
    if cached is not None:
        return cached
    try:
        row = Branding.objects.filter(pk=1).first() or Branding()
    except DatabaseError:
        # Error pages and the outage page draw the header too: with the database away (or not
        # migrated yet) they show the default branding rather than failing themselves.
        return _as_current(Branding())
    current = _as_current(row)
    cache.set(CACHE_KEY, current, CACHE_SECONDS)
    return current


def _as_current(row: Branding) -> CurrentBranding:
    return CurrentBranding(
        organisation_name=row.organisation_name,
        programme_name=row.programme_name,
        accent_colour=row.accent_colour.lower(),
        logo_url=row.logo.url if row.logo else "",
        version=str(int(row.updated_at.timestamp())) if row.updated_at else "0",
    )


def branding_row() -> Branding:
    """The editable row (unsaved defaults when there is none yet), for the comms form."""
    return Branding.objects.filter(pk=1).first() or Branding(pk=1)
