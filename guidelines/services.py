"""Writes for the guidelines portal, and caption_check: the one place caption rules are applied.

The caption editor's check endpoint, the share action and the API all call
caption_check, so an employee sees exactly the problems that would refuse a share.
"""

import logging
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta

import regex
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from advocacy.counting import counts_as_shared
from advocacy.imaging import clean_uploaded_image
from advocacy.networks import Network
from advocacy.shapes import disclosure_clean
from content_library.selectors import post_caption_for, post_required_hashtags
from notifications.services import notify_policy_major_version

from .models import (
    Acknowledgement,
    AcknowledgementReminder,
    BannedTerm,
    GuidelineDocument,
    GuidelineImage,
    GuidelineVersion,
    PortalSettings,
)
from .rendering import render_markdown
from .selectors import (
    acknowledgement_required,
    banned_terms_active,
    employees_needing_acknowledgement,
    policy_version_requiring_acknowledgement,
    portal_settings_get,
    post_enters_reward_draw,
)

logger = logging.getLogger(__name__)

# Slugs the portal's own URLs use; a document may not take them.
RESERVED_SLUGS = {"acknowledge", "manage", "try", "acknowledgements", "search", "documents"}

# --- Caption check ----------------------------------------------------------------


@dataclass(frozen=True)
class CaptionProblem:
    code: str  # banned_term, missing_hashtag, missing_disclosure, too_long, locked_caption
    message: str  # shown to the employee as is
    term: str = ""  # the banned term, hashtag or disclosure concerned
    reason: str = ""  # why a banned term is banned

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "term": self.term, "reason": self.reason}


@dataclass
class CaptionCheck:
    ok: bool
    problems: list[CaptionProblem]
    # {network: {"count", "limit", "over"}} for every network, counted the way that network counts.
    counts: dict[str, dict]
    # The caption is the suggestion word for word (and could be edited): worth a gentle "make it yours".
    unchanged_from_suggestion: bool
    network: str = ""
    disclosure: str = ""
    required_hashtags: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "problems": [problem.as_dict() for problem in self.problems],
            "counts": self.counts,
            "unchanged_from_suggestion": self.unchanged_from_suggestion,
        }


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFC", (text or "").replace("\r\n", "\n").replace("\r", "\n"))


def _term_pattern(term: str) -> str:
    """Whole words, any run of whitespace between the words of a phrase, hashtags not inside longer ones."""
    words = [regex.escape(word) for word in _normalise(term).split()]
    body = r"\s+".join(words)
    start = r"(?<![\w#])" if term.startswith("#") else (r"(?<![\w])" if regex.match(r"\w", term) else "")
    end = r"(?![\w])" if regex.search(r"\w$", term) else ""
    return f"{start}{body}{end}"


def _contains(text: str, term: str) -> bool:
    return bool(term.strip()) and regex.search(_term_pattern(term), text, regex.IGNORECASE | regex.FULLCASE) is not None


def _only_adds_required(text: str, suggestion: str, required: list[str]) -> bool:
    """A locked caption may gain the hashtags and disclosure the rules ask for, at the end, and nothing else."""
    text, suggestion = text.strip(), suggestion.strip()
    if not text.startswith(suggestion):
        return False
    allowed = {token.casefold() for token in required if token}
    return all(token.casefold() in allowed for token in text[len(suggestion) :].split())


def caption_requirements(*, post) -> tuple[list[str], str, str]:
    """What every share of a post must carry: its hashtags, and the disclosure with the reason for it."""
    hashtags = post_required_hashtags(post=post)
    portal = portal_settings_get()
    if post_enters_reward_draw(post) and portal.reward_draw_disclosure.strip():
        disclosure = portal.reward_draw_disclosure.strip()
        return (
            hashtags,
            disclosure,
            gettext("Add %(disclosure)s: this share enters a reward draw, so it must say so.")
            % {"disclosure": disclosure},
        )
    disclosure = portal.disclosure.strip()
    return (
        hashtags,
        disclosure,
        gettext("Add %(disclosure)s so readers know you work here.") % {"disclosure": disclosure},
    )


def caption_completed(*, caption: str, required: list[str]) -> str:
    """The caption with each required hashtag or disclosure it lacks added at the end.

    The share form starts from this, so an employee who keeps the suggestion can
    share it as it is instead of meeting a list of things to add.
    """
    text = _normalise(caption)
    missing: list[str] = []
    for token in required:
        if token and not _contains(text, token) and token.casefold() not in {m.casefold() for m in missing}:
            missing.append(token)
    if not missing or not text.strip():
        return caption
    return f"{caption.rstrip()} {' '.join(missing)}"


def caption_check(*, post, network: str, caption: str, link: str | None = None) -> CaptionCheck:
    """Check a caption for sharing a post on a network against every guideline rule.

    Rules: banned terms (whole words, any case, with the reason), the post's and its
    campaign's hashtags, the required disclosure (the reward-draw one when the share
    enters a draw), the network's length limit counted the way it counts, and locked
    captions (no change from the suggestion except adding the required hashtags and
    disclosure at the end). Lengths are of the caption as shared: with the share's tracked
    link (``link``; one of the same length when the share does not exist yet) added the
    way the network's intent adds it. Raises ValueError for an unknown network.
    """
    network = Network(network).value
    text = _normalise(caption)
    suggestion = _normalise(post_caption_for(post=post, network=network))
    problems: list[CaptionProblem] = []

    for banned in banned_terms_active():
        if _contains(text, banned.term):
            problems.append(
                CaptionProblem(
                    code="banned_term",
                    message=gettext("“%(term)s” can’t be used: %(reason)s")
                    % {"term": banned.term, "reason": banned.reason},
                    term=banned.term,
                    reason=banned.reason,
                )
            )

    hashtags, disclosure, disclosure_message = caption_requirements(post=post)
    for tag in hashtags:
        if not _contains(text, tag):
            problems.append(
                CaptionProblem(
                    code="missing_hashtag",
                    message=gettext("Add %(tag)s: every share of this post carries it.") % {"tag": tag},
                    term=tag,
                )
            )
    if disclosure and not _contains(text, disclosure) and disclosure.casefold() not in {t.casefold() for t in hashtags}:
        problems.append(CaptionProblem(code="missing_disclosure", message=disclosure_message, term=disclosure))

    counts = counts_as_shared(text, link=link)
    chosen = counts[network]
    if chosen["over"]:
        label = Network(network).label
        numbers = {"network": label, "count": f"{chosen['count']:,}", "limit": f"{chosen['limit']:,}"}
        if network == Network.FACEBOOK:
            message = gettext("Too long for %(network)s: %(count)s of %(limit)s characters.") % numbers
        else:
            message = (
                gettext(
                    "Too long for %(network)s: %(count)s of %(limit)s characters, "
                    "with the tracked link added when you share."
                )
                % numbers
            )
        problems.append(CaptionProblem(code="too_long", message=message))

    starting_point = caption_completed(caption=suggestion, required=[*hashtags, disclosure])
    unchanged = text.strip() in (suggestion.strip(), starting_point.strip())
    if (
        not post.caption_editable
        and not unchanged
        and not _only_adds_required(text, suggestion, [*hashtags, disclosure])
    ):
        problems.append(
            CaptionProblem(
                code="locked_caption",
                message=gettext(
                    "This post’s caption is locked: share it as suggested; you may only add the required "
                    "hashtags and disclosure at the end."
                ),
            )
        )

    return CaptionCheck(
        ok=not problems,
        problems=problems,
        counts=counts,
        unchanged_from_suggestion=unchanged and post.caption_editable and bool(suggestion.strip()),
        network=network,
        disclosure=disclosure,
        required_hashtags=hashtags,
    )


# --- Documents and versions ------------------------------------------------------


def _unique_slug(title: str) -> str:
    base = slugify(title)[:180] or "guideline"
    if base in RESERVED_SLUGS:
        base = f"{base}-guide"
    slug, counter = base, 2
    while GuidelineDocument.objects.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


@transaction.atomic
def guideline_document_create(
    *,
    title: str,
    kind: str,
    body: str,
    created_by,
    summary: str = "",
    position: int = 0,
    change_summary: str = "",
) -> GuidelineDocument:
    """Create a document and publish its first version (always major: there is nothing to compare it with)."""
    if kind == GuidelineDocument.Kind.POLICY and GuidelineDocument.objects.filter(kind=kind).exists():
        raise ValidationError(
            {"kind": gettext("There is already a social media policy; publish a new version of it instead.")}
        )
    document = GuidelineDocument(
        title=title.strip(), kind=kind, summary=summary.strip(), position=position, slug=_unique_slug(title)
    )
    document.full_clean()
    document.save()
    guideline_version_create(
        document=document,
        body=body,
        change_summary=change_summary or "First version.",
        is_major=True,
        created_by=created_by,
    )
    return document


@transaction.atomic
def guideline_document_update(*, document: GuidelineDocument, title: str, summary: str, position: int):
    document.title, document.summary, document.position = title.strip(), summary.strip(), position
    document.full_clean()
    document.save(update_fields=["title", "summary", "position", "updated_at"])
    return document


@transaction.atomic
def guideline_version_create(
    *, document: GuidelineDocument, body: str, change_summary: str, is_major: bool, created_by
) -> GuidelineVersion:
    """Publish a new version of a document. A major version of the policy asks everyone to acknowledge it again."""
    # The row lock serialises concurrent publishers, so version numbers never collide.
    GuidelineDocument.objects.select_for_update().filter(pk=document.pk).first()
    body = (body or "").replace("\r\n", "\n").strip()
    change_summary = (change_summary or "").strip()
    if not body:
        raise ValidationError({"body": gettext("Write the guideline before publishing it.")})
    if "\x00" in body or "\x00" in change_summary:
        # Forms and the API refuse it too; PostgreSQL cannot store it at all.
        raise ValidationError({"body": gettext("The text contains a NUL character; remove it and publish again.")})
    newest = document.versions.order_by("-number").first()
    if newest is not None:
        if newest.body.strip() == body:
            raise ValidationError(
                {"body": gettext("Nothing changed since version %(number)s.") % {"number": newest.number}}
            )
        if not change_summary:
            raise ValidationError({"change_summary": gettext("Say what changed: employees see it in the history.")})
    number = (document.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = GuidelineVersion(
        document=document,
        number=number,
        body=body,
        body_html=render_markdown(body),
        change_summary=change_summary,
        is_major=True if number == 1 else is_major,
        created_by=created_by,
    )
    version.full_clean(exclude=["created_by"])
    version.save()
    document.save(update_fields=["updated_at"])
    if version.is_major and document.kind == GuidelineDocument.Kind.POLICY:
        notify_policy_major_version(version_id=version.pk)
    return version


@transaction.atomic
def guideline_image_upload(*, upload, alt_text: str, uploaded_by) -> GuidelineImage:
    """Store a re-encoded copy of an uploaded image for guideline Markdown; raises ValidationError if it isn't one."""
    if not (alt_text or "").strip():
        raise ValidationError({"alt_text": gettext("Describe the image for people who cannot see it.")})
    try:
        clean = clean_uploaded_image(upload)
    except ValidationError as exc:
        raise ValidationError({"image": exc.messages}) from None
    image = GuidelineImage(alt_text=alt_text.strip(), uploaded_by=uploaded_by)
    content = clean.as_django_file()
    image.image.save(content.name, content, save=False)
    image.save()
    return image


# --- Acknowledgement ---------------------------------------------------------------


@transaction.atomic
def acknowledgement_record(*, user, version: GuidelineVersion) -> Acknowledgement:
    """Record that this person acknowledged this policy version (again is harmless: one row per person and version)."""
    if version.document.kind != GuidelineDocument.Kind.POLICY:
        raise ValidationError({"version": gettext("Only the social media policy is acknowledged.")})
    acknowledgement, _ = Acknowledgement.objects.get_or_create(
        user=user, version=version, defaults={"acknowledged_at": timezone.now()}
    )
    return acknowledgement


@dataclass(frozen=True)
class ReminderBatch:
    queued: int
    skipped_recently_reminded: int
    skipped_without_email: int


@transaction.atomic
def acknowledgement_reminders_request(*, requested_by, team=None) -> ReminderBatch:
    """Queue a reminder email to everyone (in a team, or everywhere) who has not acknowledged the current policy.

    Someone reminded about the same version within GUIDELINES_REMINDER_INTERVAL_HOURS is
    skipped, so a double click does not send two emails. Emails go out from a task after commit.
    """
    version = policy_version_requiring_acknowledgement()
    if version is None:
        return ReminderBatch(0, 0, 0)
    now = timezone.now()
    since = now - timedelta(hours=settings.GUIDELINES_REMINDER_INTERVAL_HOURS)
    recently = set(
        AcknowledgementReminder.objects.filter(version=version, requested_at__gte=since).values_list(
            "user_id", flat=True
        )
    )
    people = list(employees_needing_acknowledgement(team=team))
    without_email = [person for person in people if not person.email]
    to_remind = [person for person in people if person.email and person.pk not in recently]
    reminders = AcknowledgementReminder.objects.bulk_create(
        [
            AcknowledgementReminder(user=person, version=version, requested_by=requested_by, requested_at=now)
            for person in to_remind
        ]
    )
    from .tasks import send_acknowledgement_reminder

    for reminder_id in [reminder.pk for reminder in reminders]:
        transaction.on_commit(lambda reminder_id=reminder_id: send_acknowledgement_reminder.delay(reminder_id))
    return ReminderBatch(
        queued=len(to_remind),
        skipped_recently_reminded=len([p for p in people if p.email and p.pk in recently]),
        skipped_without_email=len(without_email),
    )


def acknowledgement_reminder_send(*, reminder_id: int) -> bool:
    """Send one reminder email unless it was already sent or is no longer needed; True when an email went out.

    The reminder is claimed with a conditional update before sending, so a task run
    twice sends once; if the mail server fails the claim is released for a retry.
    """
    now = timezone.now()
    if AcknowledgementReminder.objects.filter(pk=reminder_id, sent_at=None).update(sent_at=now) != 1:
        return False
    reminder = AcknowledgementReminder.objects.select_related("user", "version__document").get(pk=reminder_id)
    user = reminder.user
    if not user.is_active or not user.email or not acknowledgement_required(user=user):
        return False
    context = {
        "user": user,
        "version": reminder.version,
        "acknowledge_url": settings.SITE_URL + reverse("guidelines:acknowledge"),
        "lead": portal_settings_get(),
    }
    try:
        send_mail(
            subject=gettext("Please read and acknowledge the %(title)s") % {"title": reminder.version.document.title},
            message=render_to_string("guidelines/email/acknowledgement_reminder.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
    except Exception:
        AcknowledgementReminder.objects.filter(pk=reminder_id, sent_at=now).update(sent_at=None)
        raise
    return True


# --- Caption rules and portal settings ----------------------------------------------


def _clean_term(term: str) -> str:
    return " ".join((term or "").split())


def _check_term_unique(term: str, *, exclude_pk=None) -> None:
    clash = BannedTerm.objects.filter(term__iexact=term)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"term": gettext("“%(term)s” is already on the list.") % {"term": term}})


@transaction.atomic
def banned_term_create(*, term: str, reason: str, created_by) -> BannedTerm:
    term = _clean_term(term)
    _check_term_unique(term)
    banned = BannedTerm(term=term, reason=(reason or "").strip(), created_by=created_by)
    banned.full_clean(exclude=["created_by"])
    banned.save()
    return banned


@transaction.atomic
def banned_term_update(*, banned_term: BannedTerm, term: str, reason: str, is_active: bool) -> BannedTerm:
    term = _clean_term(term)
    _check_term_unique(term, exclude_pk=banned_term.pk)
    banned_term.term, banned_term.reason, banned_term.is_active = term, (reason or "").strip(), is_active
    banned_term.full_clean(exclude=["created_by"])
    banned_term.save()
    return banned_term


@transaction.atomic
def banned_term_delete(*, banned_term: BannedTerm) -> None:
    banned_term.delete()


PORTAL_SETTINGS_FIELDS = (
    "disclosure",
    "reward_draw_disclosure",
    "lead_name",
    "lead_title",
    "lead_email",
    "lead_phone",
    "lead_note",
)


@transaction.atomic
def portal_settings_update(**changes) -> PortalSettings:
    """Change the disclosures or the program lead's contact card."""
    unknown = set(changes) - set(PORTAL_SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"Not a portal setting: {', '.join(sorted(unknown))}")
    portal, _ = PortalSettings.objects.select_for_update().get_or_create(pk=1)
    for name, value in changes.items():
        setattr(portal, name, " ".join(str(value or "").split()))
    for name in ("disclosure", "reward_draw_disclosure"):
        if len(getattr(portal, name).split()) > 3:
            raise ValidationError({name: gettext("Keep the disclosure short, like #employee or #ad.")})
        try:
            setattr(portal, name, disclosure_clean(getattr(portal, name)))
        except ValidationError as exc:
            raise ValidationError({name: exc.messages}) from None
    portal.full_clean()
    portal.save()
    return portal
