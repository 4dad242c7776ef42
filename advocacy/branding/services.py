from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction

from advocacy.imaging import clean_uploaded_image

from .contrast import AA_NORMAL_TEXT, HEX_COLOUR, contrast_ratio
from .models import Branding
from .selectors import CACHE_KEY

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 16_000_000
WHITE = "#ffffff"


def accent_colour_check(colour: str) -> str:
    """The colour as stored ("#rrggbb", lower case), or ValidationError saying why it cannot be used.

    The accent is a background under white text (buttons, counts) and a text colour on white
    (links), so it must reach WCAG AA (4.5:1) against white.
    """
    colour = (colour or "").strip()
    if not HEX_COLOUR.match(colour):
        raise ValidationError("Give the accent colour as #rrggbb, for example #1f5fbf.", code="format")
    ratio = contrast_ratio(colour, WHITE)
    if ratio < AA_NORMAL_TEXT:
        raise ValidationError(
            f"{colour} has a contrast of {ratio:.2f}:1 against white; WCAG AA needs at least "
            f"{AA_NORMAL_TEXT}:1 for white text on it and for links in it. Choose a darker shade.",
            code="contrast",
        )
    return colour.lower()


@transaction.atomic
def branding_update(
    *,
    by,
    organisation_name: str,
    programme_name: str,
    accent_colour: str,
    logo=None,
    remove_logo: bool = False,
) -> Branding:
    """Save the organisation's branding; a logo upload is decoded and re-encoded like every other upload."""
    accent = accent_colour_check(accent_colour)
    organisation_name, programme_name = organisation_name.strip(), programme_name.strip()
    if not organisation_name or not programme_name:
        raise ValidationError("The organisation and programme names cannot be empty.", code="required")
    clean_logo = (
        clean_uploaded_image(logo, max_bytes=LOGO_MAX_BYTES, max_pixels=LOGO_MAX_PIXELS) if logo is not None else None
    )
    row = Branding.objects.select_for_update().filter(pk=1).first() or Branding(pk=1)
    row.organisation_name = organisation_name
    row.programme_name = programme_name
    row.accent_colour = accent
    row.updated_by = by
    if clean_logo is not None:
        logo_file = clean_logo.as_django_file()
        row.logo.save(logo_file.name, logo_file, save=False)
    elif remove_logo:
        row.logo = ""
    row.save()
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))
    return row
