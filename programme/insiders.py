"""Feature: the public Insiders page (``/insiders/``), off until comms turn it on.

Comms feature an ambassador; the ambassador decides: a short bio, an optional photo
(re-encoded like every upload; without one, their avatar), up to three picks from the posts
they shared (linked through their own tracked links, so clicks count as theirs) and their
consent, recorded with its time. Withdrawing the consent, or leaving the programme, takes
them off the page at the next request: the page is read fresh every time, never cached.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from advocacy.imaging import clean_uploaded_image, employee_decode_budget
from sharing.links import tracked_link
from sharing.models import Share
from sharing.selectors import shared_links_open

from .ambassadorship import ambassadors_q, is_ambassador
from .models import InsiderPick, InsiderProfile, ProgrammeSettings

MAX_PICKS = 3
MAX_BIO = 280
# As for avatars: a portrait, not a poster.
PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_MAX_PIXELS = 16_000_000


# --- reads -----------------------------------------------------------------------------------


def programme_settings() -> ProgrammeSettings:
    """The one settings row (pk=1), made with its defaults the first time it is read."""
    settings, _ = ProgrammeSettings.objects.get_or_create(pk=1)
    return settings


def insiders_page_enabled() -> bool:
    return ProgrammeSettings.objects.filter(pk=1, insiders_page_enabled=True).exists()


def insiders_on_page() -> list[InsiderProfile]:
    """The insiders shown now: featured, consenting, still active ambassadors (2 queries).

    Each carries ``shown_picks``: its picks whose links still lead somewhere, with their tracked URL.
    """
    picks = InsiderPick.objects.select_related("share", "share__post").order_by("position", "pk")
    profiles = list(
        InsiderProfile.objects.filter(consented_at__isnull=False, withdrawn_at__isnull=True, user__is_active=True)
        .filter(ambassadors_q("user__"))
        .select_related("user", "user__team")
        .prefetch_related(Prefetch("picks", queryset=picks))
        .order_by("consented_at", "pk")
    )
    for profile in profiles:
        profile.shown_picks = [
            {"title": pick.share.post.title, "url": tracked_link(pick.share.code), "network": pick.share.network}
            for pick in profile.picks.all()
            if shared_links_open(post=pick.share.post)
        ]
    return profiles


def insider_profile_for(*, user) -> InsiderProfile | None:
    return InsiderProfile.objects.filter(user=user).prefetch_related("picks").first()


def pickable_shares(*, user) -> QuerySet[Share]:
    """The person's shares of approved posts they may pick from, newest first, with the post loaded."""
    return Share.objects.filter(user=user, post__status="approved").select_related("post").order_by("-last_shared_at")


def featured_list() -> QuerySet[InsiderProfile]:
    """Everyone comms featured, with whether they consented, for the comms page (1 query)."""
    return InsiderProfile.objects.select_related("user", "user__team").order_by("-featured_at", "pk")


# --- writes ----------------------------------------------------------------------------------


@transaction.atomic
def insiders_page_set(*, enabled: bool, changed_by, now: datetime | None = None) -> ProgrammeSettings:
    settings = programme_settings()
    settings.insiders_page_enabled = enabled
    settings.changed_by = changed_by
    settings.changed_at = now or timezone.now()
    settings.save()
    return settings


@transaction.atomic
def insider_feature(*, user, featured_by, now: datetime | None = None) -> InsiderProfile:
    """Comms ask an ambassador to appear on the page; nothing shows until the ambassador consents."""
    if not is_ambassador(user=user):
        raise ValidationError(gettext("Only ambassadors can be featured on the Insiders page."))
    profile, _ = InsiderProfile.objects.get_or_create(
        user=user, defaults={"featured_by": featured_by, "featured_at": now or timezone.now()}
    )
    return profile


@transaction.atomic
def insider_unfeature(*, user) -> None:
    """Comms take someone off the page (their profile, photo and picks go with it)."""
    profile = InsiderProfile.objects.filter(user=user).first()
    if profile is not None:
        _delete_photo(profile)
        profile.delete()


@transaction.atomic
def insider_profile_save(
    *, user, bio: str, share_ids: list[int], consent: bool, photo=None, now: datetime | None = None
) -> InsiderProfile:
    """The ambassador's own entry: bio, picks (their shares, at most 3), photo and consent.

    Consent given now is recorded with its time; unticking it withdraws it (with its time).
    A refused photo raises ValidationError and changes nothing.
    """
    now = now or timezone.now()
    profile = InsiderProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        raise ValidationError(gettext("Comms have not asked you to appear on the Insiders page."))
    bio = bio.strip()
    errors = {}
    if len(bio) > MAX_BIO:
        errors["bio"] = f"Keep your bio to {MAX_BIO} characters (this is {len(bio)})."
    if len(share_ids) > MAX_PICKS:
        errors["picks"] = f"Pick at most {MAX_PICKS} posts."
    elif set(share_ids) - set(Share.objects.filter(user=user, pk__in=share_ids).values_list("pk", flat=True)):
        errors["picks"] = gettext("Pick from the posts you shared.")
    if consent and not bio:
        errors["bio"] = gettext("Write a short bio before you agree to appear.")
    if errors:
        raise ValidationError(errors)
    cleaned = (
        clean_uploaded_image(
            photo, max_bytes=PHOTO_MAX_BYTES, max_pixels=PHOTO_MAX_PIXELS, max_decode_bytes=employee_decode_budget()
        )
        if photo
        else None
    )
    profile.bio = bio
    if cleaned is not None:
        _delete_photo(profile)
        profile.photo = cleaned.as_django_file()
    if consent and not profile.is_consenting:
        profile.consented_at, profile.withdrawn_at = now, None
    elif not consent and profile.is_consenting:
        profile.withdrawn_at = now
    profile.save()
    profile.picks.all().delete()
    InsiderPick.objects.bulk_create(
        InsiderPick(profile=profile, share_id=share_id, position=position)
        for position, share_id in enumerate(share_ids, start=1)
    )
    return profile


@transaction.atomic
def insider_consent_withdraw(*, user, now: datetime | None = None) -> bool:
    """One click off the page; the bio and picks stay for a later yes. Idempotent."""
    return bool(
        InsiderProfile.objects.filter(user=user, consented_at__isnull=False, withdrawn_at__isnull=True).update(
            withdrawn_at=now or timezone.now()
        )
    )


def _delete_photo(profile: InsiderProfile) -> None:
    if profile.photo:
        profile.photo.delete(save=False)
