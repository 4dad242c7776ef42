"""Writes for the content library. Views, the API, the admin, the demo seeder and tasks all come here."""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _

from advocacy.imaging import clean_uploaded_image, employee_decode_budget
from advocacy.networks import Network
from advocacy.people.roles import COMMS_WORKSPACE
from advocacy.shapes import hashtag_clean, hashtags_clean
from advocacy.video import clean_uploaded_video, transcode_to_mp4
from notifications.services import (
    notify_post_featured,
    notify_post_submitted,
    notify_suggestion_approved,
    notify_suggestion_submitted,
)

from .caption_fit import post_caption_fit_refresh
from .models import (
    Campaign,
    LibraryVisit,
    Post,
    PostCaption,
    PostImage,
    PostTransition,
    PostVideo,
    Suggestion,
    Topic,
)
from .renditions import RENDITIONS, make_renditions

logger = logging.getLogger(__name__)

MAX_IMAGES_PER_POST = 4
Status = Post.Status

# Where each status may go next. Only comms admins move posts at all (employees
# propose content through suggestions), so the graph is the whole rule.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.SUBMITTED, Status.ARCHIVED},
    Status.SUBMITTED: {Status.APPROVED, Status.REJECTED, Status.DRAFT, Status.ARCHIVED},
    Status.APPROVED: {Status.ARCHIVED},
    Status.REJECTED: {Status.DRAFT, Status.ARCHIVED},
    Status.ARCHIVED: {Status.DRAFT},
}

POST_FIELDS = (
    "title",
    "body",
    "destination_url",
    "content_type",
    "campaign",
    "is_featured",
    "suggested_caption",
    "caption_editable",
    "hashtags",
    "target_everyone",
    "publish_at",
    "expires_at",
)


def _require_comms(actor) -> None:
    if actor is None or not actor.is_active or not actor.has_perm(COMMS_WORKSPACE):
        raise PermissionDenied("Only comms admins curate the library.")


def destination_url_clean(url: str, *, field: str = "destination_url") -> str:
    """Only absolute http(s) links are ever stored (no javascript:, data: or relative links)."""
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValidationError({field: _("Enter a full link starting with http:// or https://.")})
    return url


# Paths under /library/ that a post slug must not shadow.
RESERVED_SLUGS = {"suggest", "suggestions", "new", "api"}


def _unique_slug(model, text: str, *, max_length: int, exclude_pk=None) -> str:
    base = slugify(text)[: max_length - 8].strip("-") or "post"
    if base in RESERVED_SLUGS:
        base = f"{base}-post"
    slug, n = base, 2
    others = model.objects.exclude(pk=exclude_pk) if exclude_pk else model.objects.all()
    while others.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def _hashtags_clean(raw: str) -> str:
    try:
        return hashtags_clean(raw)
    except ValidationError as exc:
        raise ValidationError({"hashtags": exc.messages}) from None


def _check_targeting(post: Post, target_teams) -> None:
    if not post.target_everyone and not list(target_teams):
        raise ValidationError({"target_teams": _("Choose at least one team, or show the post to everyone.")})


def _check_schedule(publish_at: datetime | None, expires_at: datetime | None) -> None:
    if publish_at and expires_at and expires_at <= publish_at:
        raise ValidationError({"expires_at": _("The post must expire after it is published.")})


def _set_captions(post: Post, captions: dict[str, str]) -> None:
    for network, text in captions.items():
        if network not in Network.values:
            raise ValidationError({"captions": f"Unknown network {network!r}."})
        text = (text or "").strip()
        if text:
            PostCaption.objects.update_or_create(post=post, network=network, defaults={"text": text})
        else:
            PostCaption.objects.filter(post=post, network=network).delete()
    post_caption_fit_refresh(post=post)


def _record(post: Post, *, from_status: str, to_status: str, actor, note: str = "") -> PostTransition:
    return PostTransition.objects.create(
        post=post, from_status=from_status, to_status=to_status, actor=actor, note=(note or "").strip()
    )


@transaction.atomic
def post_create(
    *,
    actor,
    title: str,
    topics=(),
    target_teams=(),
    captions: dict[str, str] | None = None,
    suggested_by=None,
    **fields,
) -> Post:
    """Create a draft post (comms admins only). fields are any of POST_FIELDS; captions maps network -> override."""
    _require_comms(actor)
    unknown = set(fields) - set(POST_FIELDS)
    if unknown:
        raise ValueError(f"Not a post field: {', '.join(sorted(unknown))}")
    fields["destination_url"] = destination_url_clean(fields.get("destination_url", ""))
    if "hashtags" in fields:
        fields["hashtags"] = _hashtags_clean(fields["hashtags"])
    _check_schedule(fields.get("publish_at"), fields.get("expires_at"))
    post = Post(
        title=(title or "").strip(),
        slug=_unique_slug(Post, title, max_length=220),
        created_by=actor,
        suggested_by=suggested_by,
        status=Status.DRAFT,
        **fields,
    )
    _check_targeting(post, target_teams)
    post.full_clean()
    post.save()
    post.topics.set(topics)
    post.target_teams.set(target_teams)
    _set_captions(post, captions or {})
    _record(post, from_status="", to_status=Status.DRAFT, actor=actor)
    if post.is_featured:
        notify_post_featured(post_id=post.pk)
    return post


@transaction.atomic
def post_update(
    *, post: Post, actor, topics=None, target_teams=None, captions: dict[str, str] | None = None, **changes
) -> Post:
    """Edit a post's content, targeting or schedule; its status stays where it is."""
    _require_comms(actor)
    unknown = set(changes) - set(POST_FIELDS)
    if unknown:
        raise ValueError(f"Not a post field: {', '.join(sorted(unknown))}")
    if "destination_url" in changes:
        changes["destination_url"] = destination_url_clean(changes["destination_url"])
    if "hashtags" in changes:
        changes["hashtags"] = _hashtags_clean(changes["hashtags"])
    for field, value in changes.items():
        setattr(post, field, value.strip() if field == "title" else value)
    _check_schedule(post.publish_at, post.expires_at)
    _check_targeting(post, target_teams if target_teams is not None else post.target_teams.all())
    post.full_clean()
    post.save()
    if topics is not None:
        post.topics.set(topics)
    if target_teams is not None:
        post.target_teams.set(target_teams)
    if captions is not None:
        _set_captions(post, captions)
    elif "suggested_caption" in changes:
        post_caption_fit_refresh(post=post)
    if post.is_featured:
        notify_post_featured(post_id=post.pk)
    return post


@transaction.atomic
def post_schedule(*, post: Post, actor, publish_at: datetime | None, expires_at: datetime | None) -> Post:
    """Set when a post goes live and when it leaves the feed (None: not scheduled / never expires)."""
    return post_update(post=post, actor=actor, publish_at=publish_at, expires_at=expires_at)


@transaction.atomic
def post_transition(*, post: Post, to_status: str, actor, note: str = "") -> Post:
    """Move a post along the workflow, recording who, when and why. Rejections need a note."""
    _require_comms(actor)
    locked = Post.objects.select_for_update().get(pk=post.pk)
    if to_status not in Status.values:
        raise ValidationError({"to_status": f"Unknown status {to_status!r}."})
    if to_status not in ALLOWED_TRANSITIONS[locked.status]:
        raise ValidationError(
            {
                "to_status": _("A %(from_status)s post cannot become %(to_status)s.")
                % {"from_status": locked.get_status_display().lower(), "to_status": Status(to_status).label.lower()}
            }
        )
    if to_status == Status.REJECTED and not (note or "").strip():
        raise ValidationError({"note": _("Say why the post is rejected, so its author can fix it.")})
    from_status = locked.status
    locked.status = to_status
    locked.save(update_fields=["status", "updated_at"])
    _record(locked, from_status=from_status, to_status=to_status, actor=actor, note=note)
    if to_status == Status.SUBMITTED:
        notify_post_submitted(post_id=locked.pk)
    elif to_status == Status.APPROVED and locked.is_featured:
        notify_post_featured(post_id=locked.pk)
    post.status, post.updated_at = locked.status, locked.updated_at
    return post


@transaction.atomic
def post_archive_many(*, post_ids, actor, note: str = "") -> int:
    """Archive every listed post that is not archived yet; returns how many moved."""
    _require_comms(actor)
    moved = 0
    for post in Post.objects.select_for_update().filter(pk__in=list(post_ids)).exclude(status=Status.ARCHIVED):
        post_transition(post=post, to_status=Status.ARCHIVED, actor=actor, note=note)
        moved += 1
    return moved


def _queue_renditions(image_id: int) -> None:
    from .tasks import make_renditions as task

    transaction.on_commit(lambda: task.delay(image_id))


@transaction.atomic
def post_image_add(*, post: Post, upload, alt_text: str, actor) -> PostImage:
    """Add an uploaded image (decoded, checked, re-encoded without metadata); renditions follow in the background."""
    _require_comms(actor)
    alt_text = (alt_text or "").strip()
    if not alt_text:
        raise ValidationError({"alt_text": _("Describe the image for people who cannot see it.")})
    if post.images.count() >= MAX_IMAGES_PER_POST:
        raise ValidationError(
            {"image": _("A post has at most %(max)s images; remove one first.") % {"max": MAX_IMAGES_PER_POST}}
        )
    try:
        clean = clean_uploaded_image(
            upload, max_bytes=settings.CONTENT_IMAGE_MAX_BYTES, max_pixels=settings.CONTENT_IMAGE_MAX_PIXELS
        )
    except ValidationError as exc:
        raise ValidationError({"image": exc.messages}) from None
    last = post.images.order_by("-position").values_list("position", flat=True).first()
    position = 0 if last is None else last + 1
    image = PostImage(post=post, alt_text=alt_text[:300], position=position, width=clean.width, height=clean.height)
    _save_with_file(image, "image", clean.as_django_file())
    _queue_renditions(image.pk)
    return image


def _save_with_file(instance, field_name: str, django_file) -> None:
    """Write the file, then the row; if the row cannot be written, the file goes too (nothing orphaned)."""
    field = getattr(instance, field_name)
    field.save(django_file.name, django_file, save=False)
    try:
        instance.save()
    except Exception:
        default_storage.delete(field.name)
        raise


@transaction.atomic
def post_image_update(*, image: PostImage, actor, alt_text: str) -> PostImage:
    _require_comms(actor)
    alt_text = (alt_text or "").strip()
    if not alt_text:
        raise ValidationError({"alt_text": _("Describe the image for people who cannot see it.")})
    image.alt_text = alt_text[:300]
    image.save(update_fields=["alt_text"])
    return image


@transaction.atomic
def post_image_remove(*, image: PostImage, actor) -> None:
    """Delete an image and its files (once the deletion is committed)."""
    _require_comms(actor)
    names = [image.image.name, *(image.renditions or {}).values()]
    image.delete()

    def delete_files():
        for name in names:
            if name and default_storage.exists(name):
                default_storage.delete(name)

    transaction.on_commit(delete_files)


def post_image_make_renditions(*, image_id: int) -> dict[str, str]:
    """Make the network renditions of one image. Safe to run twice: finished work is kept and reused."""
    image = PostImage.objects.filter(pk=image_id).first()
    if image is None or not image.image:
        return {}
    done = image.renditions or {}
    if set(done) >= set(RENDITIONS) and all(default_storage.exists(name) for name in done.values()):
        return done
    original = image.image.name
    with default_storage.open(original, "rb") as handle:
        data = handle.read()
    stem = PurePosixPath(original).stem
    names = {}
    for key, (content, _width, _height) in make_renditions(data).items():
        name = f"posts/renditions/{image.pk}/{stem}-{key}.jpg"
        if default_storage.exists(name):
            default_storage.delete(name)
        names[key] = default_storage.save(name, ContentFile(content))
    # Only if the image still has the same original: a replaced image gets its own task.
    PostImage.objects.filter(pk=image.pk, image=original).update(renditions=names)
    return names


# --- Campaigns and topics -----------------------------------------------------

CAMPAIGN_FIELDS = ("name", "hashtag", "description", "starts_on", "ends_on")


@transaction.atomic
def campaign_create(*, actor, name: str, **fields) -> Campaign:
    _require_comms(actor)
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise ValueError(f"Not a campaign field: {', '.join(sorted(unknown))}")
    campaign = Campaign(
        name=(name or "").strip(), slug=_unique_slug(Campaign, name, max_length=120), created_by=actor, **fields
    )
    _campaign_clean(campaign)
    campaign.save()
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, actor, **changes) -> Campaign:
    _require_comms(actor)
    unknown = set(changes) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise ValueError(f"Not a campaign field: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(campaign, field, value)
    _campaign_clean(campaign)
    campaign.save()
    return campaign


def _campaign_clean(campaign: Campaign) -> None:
    tags = (campaign.hashtag or "").split()
    if len(tags) > 1:
        raise ValidationError({"hashtag": _("Enter one hashtag, without spaces.")})
    try:
        campaign.hashtag = hashtag_clean(tags[0]) if tags else ""
    except ValidationError as exc:
        raise ValidationError({"hashtag": exc.messages}) from None
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        raise ValidationError({"ends_on": _("The campaign must end on or after its first day.")})
    campaign.full_clean()


@transaction.atomic
def topic_get_or_create(*, name: str) -> Topic:
    name = " ".join((name or "").split())[:60]
    if not name:
        raise ValidationError({"topics": _("A topic needs a name.")})
    existing = Topic.objects.filter(name__iexact=name).first()
    if existing:
        return existing
    return Topic.objects.create(name=name, slug=_unique_slug(Topic, name, max_length=60))


# --- Suggestions --------------------------------------------------------------


@transaction.atomic
def suggestion_create(
    *, author, url: str = "", text: str = "", image=None, image_alt_text: str = "", draft_caption: str = ""
) -> Suggestion:
    """An employee proposes content: a link and/or text, an optional image, a draft caption."""
    url = destination_url_clean(url, field="url")
    text, draft_caption = (text or "").strip(), (draft_caption or "").strip()
    image_alt_text = (image_alt_text or "").strip()
    if not url and not text:
        raise ValidationError({"url": _("Add a link or some text (or both).")})
    suggestion = Suggestion(author=author, url=url, text=text, draft_caption=draft_caption)
    if image:
        if not image_alt_text:
            raise ValidationError({"image_alt_text": _("Describe the image for people who cannot see it.")})
        try:
            clean = clean_uploaded_image(
                image,
                max_bytes=settings.CONTENT_IMAGE_MAX_BYTES,
                max_pixels=settings.CONTENT_IMAGE_MAX_PIXELS,
                max_decode_bytes=employee_decode_budget(),
            )
        except ValidationError as exc:
            raise ValidationError({"image": exc.messages}) from None
        suggestion.image_alt_text = image_alt_text
        suggestion.full_clean(exclude=["image"])
        _save_with_file(suggestion, "image", clean.as_django_file())
    else:
        suggestion.full_clean(exclude=["image"])
        suggestion.save()
    notify_suggestion_submitted(suggestion_id=suggestion.pk)
    return suggestion


def _locked_pending(suggestion: Suggestion) -> Suggestion:
    locked = Suggestion.objects.select_for_update().select_related("author").get(pk=suggestion.pk)
    if locked.status != Suggestion.Status.PENDING:
        raise ValidationError(
            {"status": _("This suggestion was already %(status)s.") % {"status": locked.get_status_display().lower()}}
        )
    return locked


def _suggestion_title(suggestion: Suggestion) -> str:
    first_line = (suggestion.text or "").strip().splitlines()[0] if suggestion.text.strip() else ""
    if first_line:
        return Truncator(first_line).chars(120)
    return Truncator(urlsplit(suggestion.url).netloc + urlsplit(suggestion.url).path).chars(120)


@transaction.atomic
def suggestion_approve(
    *, suggestion: Suggestion, reviewer, note: str = "", title: str = "", publish_at: datetime | None = None
) -> Post:
    """Turn a suggestion into an approved library post credited to its author.

    The post goes live at publish_at; without it, it waits unscheduled in the calendar.
    """
    _require_comms(reviewer)
    locked = _locked_pending(suggestion)
    post = post_create(
        actor=reviewer,
        title=(title or "").strip() or _suggestion_title(locked),
        body=locked.text,
        destination_url=locked.url,
        suggested_caption=locked.draft_caption,
        suggested_by=locked.author,
        publish_at=publish_at,
    )
    if locked.image:
        with default_storage.open(locked.image.name, "rb") as handle:
            content = handle.read()
        image = PostImage(post=post, alt_text=locked.image_alt_text or f"Image suggested by {locked.author.name}")
        _save_with_file(image, "image", ContentFile(content, name=PurePosixPath(locked.image.name).name))
        _queue_renditions(image.pk)
    credit = f"From a suggestion by {locked.author.name}."
    post_transition(post=post, to_status=Status.SUBMITTED, actor=reviewer, note=credit)
    post_transition(post=post, to_status=Status.APPROVED, actor=reviewer, note=note)
    locked.status = Suggestion.Status.APPROVED
    locked.reviewed_by, locked.reviewed_at, locked.review_note = reviewer, timezone.now(), (note or "").strip()
    locked.post = post
    locked.save()
    notify_suggestion_approved(suggestion_id=locked.pk)
    suggestion.status, suggestion.post = locked.status, post
    return post


@transaction.atomic
def suggestion_reject(*, suggestion: Suggestion, reviewer, note: str) -> Suggestion:
    """Decline a suggestion; the author sees the note in their list."""
    _require_comms(reviewer)
    if not (note or "").strip():
        raise ValidationError({"note": _("Say why, so the author understands.")})
    locked = _locked_pending(suggestion)
    locked.status = Suggestion.Status.REJECTED
    locked.reviewed_by, locked.reviewed_at, locked.review_note = reviewer, timezone.now(), note.strip()
    locked.save()
    suggestion.status = locked.status
    return locked


# --- Feed visits --------------------------------------------------------------


def library_visit_record(*, user, at: datetime | None = None) -> None:
    """Remember that this person just saw the feed (resets the "new" count in the navigation)."""
    # One upsert statement: the feed's query count is the same on the first visit and every later one.
    LibraryVisit.objects.bulk_create(
        [LibraryVisit(user_id=user.pk, seen_at=at or timezone.now())],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["seen_at"],
    )


# --- Employees' own posts -------------------------------------------------------


@dataclass(frozen=True)
class EmployeeMedia:
    """An employee post's photo and video, checked and re-encoded, not yet stored."""

    image: object | None = None
    image_alt_text: str = ""
    video: object | None = None
    video_description: str = ""


def employee_media_clean(
    *, image=None, image_alt_text: str = "", video=None, video_description: str = ""
) -> EmployeeMedia:
    """Check an employee's photo and video like every upload; raises ValidationError by field, stores nothing."""
    image_alt_text = (image_alt_text or "").strip()
    clean_image = None
    if image:
        if not image_alt_text:
            raise ValidationError({"image_alt_text": _("Describe the image for people who cannot see it.")})
        try:
            clean_image = clean_uploaded_image(
                image,
                max_bytes=settings.CONTENT_IMAGE_MAX_BYTES,
                max_pixels=settings.CONTENT_IMAGE_MAX_PIXELS,
                max_decode_bytes=employee_decode_budget(),
            )
        except ValidationError as exc:
            raise ValidationError({"image": exc.messages}) from None
    clean_video = _video_clean(video, video_description) if video else None
    return EmployeeMedia(clean_image, image_alt_text, clean_video, (video_description or "").strip())


@transaction.atomic
def employee_post_create(
    *, author, title: str, caption: str, campaign: Campaign | None = None, now: datetime | None = None
) -> Post:
    """A post in an employee's own words (for a challenge): live at once, shareable by its author alone.

    It is a Post of kind "employee" so a share of it is a share like any other (tracked link,
    clicks, points, draws by campaign) while it never appears in anyone's library feed or the
    comms workspace. The caption rules are applied when it is shared (sharing.share_create);
    media are added once it has been (employee_post_media_add), so a refused caption stores no file.
    """
    now = now or timezone.now()
    caption = (caption or "").strip()
    if not caption:
        raise ValidationError({"caption": _("Write your post: it is what you will share.")})
    title = Truncator((title or "").strip() or caption.splitlines()[0]).chars(120)
    post = Post(
        kind=Post.Kind.EMPLOYEE,
        title=title,
        slug=_unique_slug(Post, title, max_length=220),
        content_type=Post.ContentType.CULTURE,
        campaign=campaign,
        suggested_caption=caption,
        target_everyone=False,
        publish_at=now,
        status=Status.APPROVED,
        created_by=author,
    )
    post.full_clean()
    post.save()
    post_caption_fit_refresh(post=post)
    _record(post, from_status="", to_status=Status.APPROVED, actor=author, note="Written by its author for sharing.")
    return post


@transaction.atomic
def employee_post_media_add(*, post: Post, media: EmployeeMedia) -> None:
    """Store the checked photo (renditions follow) and video (a transcode follows when needed) of an employee post."""
    if media.image is not None:
        clean = media.image
        picture = PostImage(post=post, alt_text=media.image_alt_text[:300], width=clean.width, height=clean.height)
        _save_with_file(picture, "image", clean.as_django_file())
        _queue_renditions(picture.pk)
    if media.video is not None:
        _video_store(post, media.video, media.video_description)


@transaction.atomic
def employee_post_promote(*, post: Post, actor, title: str = "", publish_at: datetime | None = None) -> Post:
    """Copy an employee's own post into the library as an approved post credited to its author.

    Whether the author agreed is the caller's to check (the challenges app records consent).
    The copy is a library post in its own right: editing or archiving it leaves the original
    and its shares alone. Without publish_at it waits unscheduled in the calendar.
    """
    _require_comms(actor)
    if post.kind != Post.Kind.EMPLOYEE:
        raise ValidationError({"post": _("Only an employee's own post can be promoted into the library.")})
    author = post.created_by
    credit = f"Written by {author.name}." if author else "Written by an employee."
    copy = post_create(
        actor=actor,
        title=(title or "").strip() or post.title,
        body=post.suggested_caption,
        campaign=post.campaign,
        content_type=Post.ContentType.CULTURE,
        suggested_caption=post.suggested_caption,
        suggested_by=author,
        publish_at=publish_at,
    )
    for original in post.images.all():
        with default_storage.open(original.image.name, "rb") as handle:
            content = handle.read()
        image = PostImage(post=copy, alt_text=original.alt_text, width=original.width, height=original.height)
        _save_with_file(image, "image", ContentFile(content, name=PurePosixPath(original.image.name).name))
        _queue_renditions(image.pk)
    original_video = PostVideo.objects.filter(post=post).first()
    if original_video is not None:
        _video_copy(original_video, copy)
    post_transition(post=copy, to_status=Status.SUBMITTED, actor=actor, note=credit)
    post_transition(post=copy, to_status=Status.APPROVED, actor=actor, note="Promoted with the author's consent.")
    return copy


# --- Videos ---------------------------------------------------------------------


def _video_clean(upload, description: str):
    if not (description or "").strip():
        raise ValidationError({"video_description": _("Say what happens in the video, for people who cannot see it.")})
    try:
        return clean_uploaded_video(
            upload,
            max_bytes=settings.CONTENT_VIDEO_MAX_BYTES,
            max_seconds=settings.CONTENT_VIDEO_MAX_SECONDS,
            max_pixels=settings.CONTENT_VIDEO_MAX_SIDE**2,
            max_side=settings.CONTENT_VIDEO_MAX_SIDE,
        )
    except ValidationError as exc:
        raise ValidationError({"video": exc.messages}) from None


def _queue_transcode(video_id: int) -> None:
    from .tasks import transcode_video as task

    transaction.on_commit(lambda: task.delay(video_id))


def _video_store(post: Post, clean, description: str) -> PostVideo:
    """Write the poster, then the video, then the row; if any step fails, the files already written go."""
    stem = uuid.uuid4().hex
    video = PostVideo(
        post=post,
        content_type=clean.content_type,
        size=len(clean.content),
        width=clean.width,
        height=clean.height,
        duration=clean.duration,
        description=description.strip()[:300],
        status=PostVideo.Status.PROCESSING if clean.needs_transcode else PostVideo.Status.READY,
    )
    video.poster.save(f"{stem}.jpg", clean.poster_file(stem=stem), save=False)
    try:
        _save_with_file(video, "file", clean.as_django_file(stem=stem))
    except Exception:
        default_storage.delete(video.poster.name)
        raise
    if clean.needs_transcode:
        _queue_transcode(video.pk)
    return video


def _video_copy(original: PostVideo, post: Post) -> PostVideo:
    stem = uuid.uuid4().hex
    copy = PostVideo(
        post=post,
        content_type=original.content_type,
        size=original.size,
        width=original.width,
        height=original.height,
        duration=original.duration,
        description=original.description,
        status=original.status,
    )
    with default_storage.open(original.poster.name, "rb") as handle:
        copy.poster.save(f"{stem}.jpg", ContentFile(handle.read()), save=False)
    with default_storage.open(original.file.name, "rb") as handle:
        extension = PurePosixPath(original.file.name).suffix
        _save_with_file(copy, "file", ContentFile(handle.read(), name=f"{stem}{extension}"))
    if copy.status == PostVideo.Status.PROCESSING:
        _queue_transcode(copy.pk)
    return copy


@transaction.atomic
def post_video_set(*, post: Post, upload, description: str, actor) -> PostVideo:
    """Give a library post its video (replacing any it had): probed, remuxed without metadata, with a poster."""
    _require_comms(actor)
    clean = _video_clean(upload, description)
    old = PostVideo.objects.filter(post=post).first()
    if old is not None:
        post_video_remove(video=old, actor=actor)
    return _video_store(post, clean, description)


@transaction.atomic
def post_video_remove(*, video: PostVideo, actor) -> None:
    _require_comms(actor)
    names = [video.file.name, video.poster.name]
    video.delete()

    def delete_files():
        for name in names:
            if name and default_storage.exists(name):
                default_storage.delete(name)

    transaction.on_commit(delete_files)


def post_video_transcode(*, video_id: int) -> str:
    """Convert a video to H.264/AAC MP4 (for browsers and networks that take nothing else); returns its status.

    Safe to run twice: a video already ready (or gone) is left alone, and the new file is
    written before the row points at it, and the old file removed only after.
    """
    video = PostVideo.objects.filter(pk=video_id).first()
    if video is None:
        return "gone"
    if video.status != PostVideo.Status.PROCESSING:
        return video.status
    original = video.file.name
    with default_storage.open(original, "rb") as handle:
        data = handle.read()
    try:
        content, width, height, _seconds = transcode_to_mp4(data, max_side=settings.CONTENT_VIDEO_TRANSCODE_MAX_SIDE)
    except Exception:
        logger.exception(
            "Could not transcode video %s; the remuxed upload stays playable where browsers can.", video_id
        )
        PostVideo.objects.filter(pk=video_id, file=original).update(status=PostVideo.Status.FAILED)
        return PostVideo.Status.FAILED
    name = default_storage.save(f"videos/mp4/{PurePosixPath(original).stem}.mp4", ContentFile(content))
    updated = PostVideo.objects.filter(pk=video_id, file=original, status=PostVideo.Status.PROCESSING).update(
        file=name,
        content_type="video/mp4",
        size=len(content),
        width=width,
        height=height,
        status=PostVideo.Status.READY,
    )
    if updated:
        default_storage.delete(original)
        return PostVideo.Status.READY
    default_storage.delete(name)  # another run finished first
    return PostVideo.objects.filter(pk=video_id).values_list("status", flat=True).first() or "gone"
