"""Writes for challenges: comms create, open and close them; employees enter; comms promote with consent."""

from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from advocacy.networks import Network
from advocacy.people.roles import COMMS_WORKSPACE, EMPLOYEE_AREA
from content_library.services import (
    campaign_create,
    campaign_update,
    employee_media_clean,
    employee_post_create,
    employee_post_media_add,
    employee_post_promote,
)
from sharing.services import share_create

from .models import Challenge, Entry
from .selectors import challenge_is_open


def _require_comms(actor) -> None:
    if actor is None or not actor.is_active or not actor.has_perm(COMMS_WORKSPACE):
        raise PermissionDenied("Only comms admins run challenges.")


def _unique_slug(title: str, *, exclude_pk=None) -> str:
    base = slugify(title)[:150] or "challenge"
    slug, n = base, 2
    while Challenge.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _dates_check(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on is None:
        raise ValidationError({"starts_on": _("Say on which day the challenge starts.")})
    if ends_on is None:
        raise ValidationError({"ends_on": _("Say on which day the challenge ends.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The challenge must end on or after its first day.")})


@transaction.atomic
def challenge_create(
    *, actor, title: str, prompt: str, hashtag: str, starts_on: date | None, ends_on: date | None
) -> Challenge:
    """A draft challenge, with the campaign that carries its hashtag (so every entry's caption must carry it)."""
    _require_comms(actor)
    title, prompt = (title or "").strip(), (prompt or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the challenge a title.")})
    if not prompt:
        raise ValidationError({"prompt": _("Write the prompt employees answer.")})
    if not (hashtag or "").strip():
        raise ValidationError({"hashtag": _("A challenge needs a hashtag, such as #LaunchWeek.")})
    _dates_check(starts_on, ends_on)
    campaign = campaign_create(
        actor=actor, name=title, hashtag=hashtag, description=prompt, starts_on=starts_on, ends_on=ends_on
    )
    challenge = Challenge(
        title=title,
        slug=_unique_slug(title),
        prompt=prompt,
        campaign=campaign,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    challenge.full_clean()
    challenge.save()
    return challenge


@transaction.atomic
def challenge_update(
    *, challenge: Challenge, actor, title: str, prompt: str, hashtag: str, starts_on: date | None, ends_on: date | None
) -> Challenge:
    """Edit a challenge. Its hashtag is fixed once anyone has entered (their captions carry the old one)."""
    _require_comms(actor)
    _dates_check(starts_on, ends_on)
    campaign = challenge.campaign
    if hashtag.strip().lstrip("#").casefold() != campaign.hashtag.lstrip("#").casefold() and challenge.entries.exists():
        raise ValidationError({"hashtag": _("People have entered with this hashtag already; it cannot change now.")})
    campaign_update(
        campaign=campaign,
        actor=actor,
        name=title,
        hashtag=hashtag,
        description=prompt,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    challenge.title, challenge.prompt = (title or "").strip(), (prompt or "").strip()
    challenge.starts_on, challenge.ends_on = starts_on, ends_on
    challenge.full_clean()
    challenge.save()
    return challenge


@transaction.atomic
def challenge_open(*, challenge: Challenge, actor, now: datetime | None = None) -> Challenge:
    """Let employees enter (between its first and last day)."""
    _require_comms(actor)
    locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if locked.status == Challenge.Status.OPEN:
        return locked
    locked.status, locked.opened_at, locked.closed_at = Challenge.Status.OPEN, now or timezone.now(), None
    locked.save(update_fields=["status", "opened_at", "closed_at"])
    return locked


@transaction.atomic
def challenge_close(*, challenge: Challenge, actor, now: datetime | None = None) -> Challenge:
    """No more entries; the board and the entries' tracked links stay."""
    _require_comms(actor)
    locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if locked.status == Challenge.Status.CLOSED:
        return locked
    locked.status, locked.closed_at = Challenge.Status.CLOSED, now or timezone.now()
    locked.save(update_fields=["status", "closed_at"])
    return locked


@transaction.atomic
def entry_create(
    *,
    challenge: Challenge,
    author,
    caption: str,
    network: str,
    image=None,
    image_alt_text: str = "",
    video=None,
    video_description: str = "",
    visitor_hash: str = "",
    now: datetime | None = None,
) -> Entry:
    """An employee's own post for a challenge, shared on `network` with a tracked link.

    The caption goes through the same rules as every share (sharing.share_create calls the
    guidelines' caption check; the challenge's hashtag is required through its campaign).
    Photo and video are checked first and stored last, once the share is made, so any refusal
    (ShareRefused, AcknowledgementRequired, ValidationError) leaves no post, file or entry.
    """
    now = now or timezone.now()
    if author is None or not author.is_active or not author.has_perm(EMPLOYEE_AREA):
        raise PermissionDenied("Only employees enter challenges.")
    locked = Challenge.objects.select_for_update().select_related("campaign").get(pk=challenge.pk)
    if not challenge_is_open(challenge=locked, now=now):
        raise ValidationError(_("This challenge is not open for entries."))
    if network not in Network.values:
        raise ValidationError({"network": _("Choose the network you share your post on.")})
    already = Entry.objects.filter(challenge=locked, author=author).count()
    if already >= settings.CHALLENGE_MAX_ENTRIES_PER_PERSON:
        raise ValidationError(
            _("You have entered this challenge %(count)s times, the most anyone may; share your entries instead.")
            % {"count": already}
        )
    media = employee_media_clean(
        image=image, image_alt_text=image_alt_text, video=video, video_description=video_description
    )
    post = employee_post_create(
        author=author, title=f"{locked.title}: {author.name}", caption=caption, campaign=locked.campaign, now=now
    )
    share, _created = share_create(
        user=author, post=post, network=network, caption=post.suggested_caption, visitor_hash=visitor_hash, now=now
    )
    employee_post_media_add(post=post, media=media)
    return Entry.objects.create(challenge=locked, author=author, post=post, share=share)


def _locked_entry(entry: Entry) -> Entry:
    return Entry.objects.select_for_update().select_related("author", "post").get(pk=entry.pk)


@transaction.atomic
def entry_promotion_ask(*, entry: Entry, actor, now: datetime | None = None) -> Entry:
    """Comms ask the author whether their entry may go into the library (credited to them)."""
    _require_comms(actor)
    locked = _locked_entry(entry)
    if locked.promotion in (Entry.Promotion.CONSENTED, Entry.Promotion.PROMOTED):
        return locked
    if locked.promotion == Entry.Promotion.DECLINED:
        raise ValidationError(_("The author said no; their answer stands."))
    locked.promotion, locked.promotion_asked_by, locked.promotion_asked_at = (
        Entry.Promotion.ASKED,
        actor,
        now or timezone.now(),
    )
    locked.promotion_answered_at = None
    locked.save(update_fields=["promotion", "promotion_asked_by", "promotion_asked_at", "promotion_answered_at"])
    return locked


@transaction.atomic
def entry_promotion_answer(*, entry: Entry, author, consent: bool, now: datetime | None = None) -> Entry:
    """The author's answer, recorded with its time; only the author may give it, once asked."""
    locked = _locked_entry(entry)
    if author is None or locked.author_id != author.pk:
        raise PermissionDenied("Only the author can answer for their post.")
    if locked.promotion not in (Entry.Promotion.ASKED, Entry.Promotion.CONSENTED, Entry.Promotion.DECLINED):
        raise ValidationError(_("Nobody has asked to put this post in the library."))
    locked.promotion = Entry.Promotion.CONSENTED if consent else Entry.Promotion.DECLINED
    locked.promotion_answered_at = now or timezone.now()
    locked.save(update_fields=["promotion", "promotion_answered_at"])
    return locked


@transaction.atomic
def entry_promote(*, entry: Entry, actor, publish_at: datetime | None = None, now: datetime | None = None):
    """Copy a consenting author's entry into the library, credited to them; returns the library post."""
    _require_comms(actor)
    locked = _locked_entry(entry)
    if locked.promotion == Entry.Promotion.PROMOTED and locked.promoted_post_id:
        return locked.promoted_post
    if locked.promotion != Entry.Promotion.CONSENTED:
        raise ValidationError(_("The author has not agreed to this post going into the library."))
    copy = employee_post_promote(post=locked.post, actor=actor, publish_at=publish_at)
    locked.promotion, locked.promoted_post, locked.promoted_at = Entry.Promotion.PROMOTED, copy, now or timezone.now()
    locked.save(update_fields=["promotion", "promoted_post", "promoted_at"])
    return copy
