"""What each kind of notification says and who it goes to.

Every kind has two functions: ``recipients(object_id)`` -> (object key, people), used when an
event fans out, and ``build(object_key, user)`` -> Email or None, called just before sending.
``build`` looks at the world again, so an email that is no longer true (the post was already
reviewed, the person switched the emails off, acknowledged the policy) is not sent.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from advocacy.people.models import User
from advocacy.people.roles import COMMS_WORKSPACE
from connections.selectors import account_health, reminder_account, reminder_subject
from content_library.models import Post, PostTransition, Suggestion
from content_library.selectors import post_live_q
from guidelines.models import GuidelineVersion
from guidelines.selectors import acknowledgement_required, policy_version_requiring_acknowledgement

from .models import Delivery
from .registry import invitation_notice
from .selectors import comms_admins, digest_for, policy_recipients

Kind = Delivery.Kind


@dataclass
class Email:
    subject: str
    template: str  # "notifications/email/<name>": rendered as .txt and .html
    context: dict = field(default_factory=dict)
    # The list a one-click unsubscribe link switches off (tokens.MAILING_LISTS), or None for work notifications.
    unsubscribe_list: str | None = None


@dataclass(frozen=True)
class KindSpec:
    recipients: Callable[[int], tuple[str, QuerySet[User]]]
    build: Callable[[str, User], Email | None]


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def _id_from(object_key: str) -> int:
    # "post:12:t40" -> 12, "suggestion:3" -> 3
    return int(object_key.split(":")[1])


# --- A post submitted for review (comms admins, except whoever submitted it) ------------


def _latest_submission(post_id: int) -> PostTransition | None:
    return (
        PostTransition.objects.filter(post_id=post_id, to_status=Post.Status.SUBMITTED)
        .order_by("-created_at", "-id")
        .first()
    )


def post_submitted_recipients(post_id: int) -> tuple[str, QuerySet[User]]:
    post = Post.objects.filter(pk=post_id).only("status").first()
    submission = _latest_submission(post_id)
    if post is None or post.status != Post.Status.SUBMITTED or submission is None:
        return "", User.objects.none()
    # Keyed by the submission, so a post sent back to draft and submitted again is announced again.
    key = f"post:{post_id}:t{submission.pk}"
    return key, comms_admins().exclude(pk=submission.actor_id or 0)


def post_submitted_build(object_key: str, user: User) -> Email | None:
    post = Post.objects.filter(pk=_id_from(object_key)).select_related("campaign").first()
    submission = _latest_submission(post.pk) if post else None
    if post is None or post.status != Post.Status.SUBMITTED or not user.has_perm(COMMS_WORKSPACE):
        return None
    if submission is None or object_key != f"post:{post.pk}:t{submission.pk}":
        return None
    return Email(
        subject=f"Waiting for review: {post.title}",
        template="notifications/email/post_submitted",
        context={
            "post": post,
            "submitted_by": submission.actor,
            "note": submission.note,
            "review_url": absolute(reverse("content_library:comms_post_detail", kwargs={"pk": post.pk})),
            "queue_url": absolute(reverse("content_library:comms_review")),
        },
    )


# --- An employee's suggestion (comms admins) --------------------------------------------


def suggestion_submitted_recipients(suggestion_id: int) -> tuple[str, QuerySet[User]]:
    suggestion = Suggestion.objects.filter(pk=suggestion_id).only("status", "author_id").first()
    if suggestion is None or suggestion.status != Suggestion.Status.PENDING:
        return "", User.objects.none()
    return f"suggestion:{suggestion_id}", comms_admins().exclude(pk=suggestion.author_id)


def suggestion_submitted_build(object_key: str, user: User) -> Email | None:
    suggestion = Suggestion.objects.filter(pk=_id_from(object_key)).select_related("author").first()
    if suggestion is None or suggestion.status != Suggestion.Status.PENDING or not user.has_perm(COMMS_WORKSPACE):
        return None
    return Email(
        subject=f"New content suggestion from {suggestion.author.name}",
        template="notifications/email/suggestion_submitted",
        context={
            "suggestion": suggestion,
            "review_url": absolute(reverse("content_library:comms_suggestion_review", kwargs={"pk": suggestion.pk})),
            "queue_url": absolute(reverse("content_library:comms_review")),
        },
    )


# --- A suggestion approved (its author, if they want suggestion emails) --------------------


def _wants_suggestion_updates(user: User) -> bool:
    return user.is_active and bool(user.email) and user.notify_suggestion_updates


def suggestion_approved_recipients(suggestion_id: int) -> tuple[str, QuerySet[User]]:
    suggestion = Suggestion.objects.filter(pk=suggestion_id).only("status", "author_id").first()
    if suggestion is None or suggestion.status != Suggestion.Status.APPROVED:
        return "", User.objects.none()
    authors = User.objects.filter(pk=suggestion.author_id, is_active=True, notify_suggestion_updates=True)
    return f"suggestion:{suggestion_id}", authors.exclude(email="")


def suggestion_approved_build(object_key: str, user: User) -> Email | None:
    suggestion = Suggestion.objects.filter(pk=_id_from(object_key)).select_related("post").first()
    if suggestion is None or suggestion.status != Suggestion.Status.APPROVED or suggestion.author_id != user.pk:
        return None
    if not _wants_suggestion_updates(user):
        return None
    post = suggestion.post
    is_live = post is not None and Post.objects.filter(post_live_q(), pk=post.pk).exists()
    return Email(
        subject="Your content suggestion was approved",
        template="notifications/email/suggestion_approved",
        context={
            "suggestion": suggestion,
            "post": post,
            "is_live": is_live,
            "post_url": absolute(reverse("content_library:post_detail", kwargs={"slug": post.slug})) if post else "",
            "suggestions_url": absolute(reverse("content_library:suggestion_list")),
        },
        unsubscribe_list="suggestions",
    )


# --- A new major version of the social media policy (everyone who must acknowledge it) ----


def policy_major_version_recipients(version_id: int) -> tuple[str, QuerySet[User]]:
    return f"version:{version_id}", policy_recipients(version_id=version_id)


def policy_major_version_build(object_key: str, user: User) -> Email | None:
    version = GuidelineVersion.objects.filter(pk=_id_from(object_key)).select_related("document").first()
    current = policy_version_requiring_acknowledgement()
    if version is None or current is None or current.pk != version.pk:
        return None
    if not (user.is_active and user.email and user.notify_policy_updates and acknowledgement_required(user=user)):
        return None
    return Email(
        subject=f"New version of the {version.document.title}: please read and acknowledge it",
        template="notifications/email/policy_major_version",
        context={
            "version": version,
            "acknowledge_url": absolute(reverse("guidelines:acknowledge")),
            "history_url": absolute(reverse("guidelines:history", kwargs={"slug": version.document.slug})),
        },
        unsubscribe_list="policy",
    )


# --- The weekly digest (people who opted in) ---------------------------------------------


def _post_url(post: Post) -> str:
    return absolute(reverse("content_library:post_detail", kwargs={"slug": post.slug}))


def weekly_digest_build(object_key: str, user: User) -> Email | None:
    if not (user.is_active and user.email and user.digest_frequency == User.DigestFrequency.WEEKLY):
        return None
    now = timezone.now()
    digest = digest_for(user=user, now=now)
    if digest.is_empty:
        return None
    return Email(
        subject=f"Your weekly advocacy digest ({object_key})",
        template="notifications/email/weekly_digest",
        context={
            "digest": digest,
            "week": object_key,
            "new_items": [(post, _post_url(post)) for post in digest.new_posts],
            "featured_items": [(post, _post_url(post)) for post in digest.featured_posts],
            "library_url": absolute(reverse("content_library:feed")),
            "points_url": absolute(reverse("leaderboard:my_points")),
        },
        unsubscribe_list="digest",
    )


def _no_fan_out(object_id: int) -> tuple[str, QuerySet[User]]:
    raise ValueError("Weekly digests are queued per person by queue_weekly_digests, not fanned out from an event.")


# --- A connected account's token about to lapse (its owner, a week before, once per token) ------


def lapse_day(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B}"


def connection_expiring_recipients(account_id: int) -> tuple[str, QuerySet[User]]:
    key, owner_id = reminder_subject(account_id)
    return key, User.objects.filter(pk=owner_id, is_active=True).exclude(email="")


def connection_expiring_build(object_key: str, user: User) -> Email | None:
    # Reconnected since (another token), disconnected, or already lapsed: nothing true left to say.
    account = reminder_account(key=object_key, person=user)
    if account is None:
        return None
    return Email(
        subject=f"Your {account.get_network_display()} connection lapses on {lapse_day(account.expires_at)}",
        template="notifications/email/connection_expiring",
        context={
            "account": account,
            "health": account_health(account=account),
            "connections_url": absolute(reverse("connections:my_connections")),
        },
    )


# --- An invitation waiting for my answer (what it says comes from the inviting app: registry.py) ----


def invitation_recipients(invitation_id: int) -> tuple[str, QuerySet[User]]:
    notice = invitation_notice(invitation_id)
    if notice is None:
        return "", User.objects.none()
    return f"invitation:{invitation_id}", User.objects.filter(pk=notice.invitee_id, is_active=True).exclude(email="")


def invitation_build(object_key: str, user: User) -> Email | None:
    # Answered, or withdrawn, since it was sent: nothing true left to say.
    notice = invitation_notice(_id_from(object_key))
    if notice is None or notice.invitee_id != user.pk:
        return None
    return Email(
        subject=notice.subject,
        template="notifications/email/invitation",
        context={"notice": notice, "answer_url": absolute(notice.path)},
    )


KINDS: dict[str, KindSpec] = {
    Kind.POST_SUBMITTED: KindSpec(post_submitted_recipients, post_submitted_build),
    Kind.SUGGESTION_SUBMITTED: KindSpec(suggestion_submitted_recipients, suggestion_submitted_build),
    Kind.SUGGESTION_APPROVED: KindSpec(suggestion_approved_recipients, suggestion_approved_build),
    Kind.POLICY_MAJOR_VERSION: KindSpec(policy_major_version_recipients, policy_major_version_build),
    Kind.WEEKLY_DIGEST: KindSpec(_no_fan_out, weekly_digest_build),
    Kind.CONNECTION_EXPIRING: KindSpec(connection_expiring_recipients, connection_expiring_build),
    Kind.INVITATION: KindSpec(invitation_recipients, invitation_build),
}
