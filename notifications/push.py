"""What each kind of web push says, who may get it, and how often.

Like ``messages.py`` for emails: every kind has ``recipients(object_id)`` -> (object key, people
who may want it) used when the event fans out, and ``build(object_key, user)`` -> PushMessage or
None, called just before sending, which looks at the world again (the post is still live and
aimed at the person, the policy still unacknowledged, the win still standing).

A new kind of push (next: "my scheduled post went out / failed", once scheduled posts exist)
is one ``PushKind`` entry in ``PUSH_KINDS`` plus a ``notify_push_*`` hook in services.py that
the scheduling service calls; the preferences page and the frequency cap pick it up from here.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse

from advocacy.people.models import User
from advocacy.people.selectors import active_employees
from connections.selectors import reminder_account, reminder_subject
from content_library.models import Post
from content_library.selectors import post_live_q, post_visible_to_q
from draws.models import Winner
from guidelines.models import GuidelineVersion
from guidelines.selectors import (
    acknowledgement_required,
    employees_needing_acknowledgement,
    policy_version_requiring_acknowledgement,
)

from .messages import lapse_day
from .models import Delivery, PushFrequency, PushPreference
from .registry import invitation_notice

Kind = Delivery.Kind
DAILY_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class PushMessage:
    """Exactly what goes to the push service, encrypted for the browser: nothing else is sent."""

    title: str
    body: str
    url: str  # a path on this site, opened when the notification is tapped
    tag: str  # a newer notification with the same tag replaces the older one on the device

    def as_payload(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PushKind:
    label: str  # as the preferences page lists it
    default: str  # a PushFrequency, for people who never chose
    recipients: Callable[[int], tuple[str, QuerySet[User]]]
    build: Callable[[str, User], PushMessage | None]


def push_enabled() -> bool:
    """Web push is configured (a VAPID key pair and subject); otherwise every push control is hidden."""
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY and settings.VAPID_SUBJECT)


def _id_from(object_key: str) -> int:
    return int(object_key.split(":")[1])


def _subscribed(people: QuerySet[User]) -> QuerySet[User]:
    return people.filter(is_active=True, push_subscriptions__isnull=False).distinct().order_by("pk")


# --- A featured post goes live for me ------------------------------------------------------


def featured_post_recipients(post_id: int) -> tuple[str, QuerySet[User]]:
    # Who it is aimed at is decided per person when sending (featured_post_build); a post that is
    # not live yet reaches nobody now, and beat (push_featured_gone_live) fans it out once it is.
    if not Post.objects.filter(post_live_q(), pk=post_id, is_featured=True).exists():
        return "", User.objects.none()
    return f"post:{post_id}", _subscribed(active_employees())


def featured_post_build(object_key: str, user: User) -> PushMessage | None:
    post = Post.objects.filter(post_visible_to_q(user=user), pk=_id_from(object_key), is_featured=True).first()
    if post is None:
        return None
    return PushMessage(
        title="New featured post to share",
        body=post.title,
        url=reverse("content_library:post_detail", kwargs={"slug": post.slug}),
        tag=object_key,
    )


# --- A draw result that concerns me (I won) ------------------------------------------------


def draw_result_recipients(winner_id: int) -> tuple[str, QuerySet[User]]:
    winner = Winner.objects.filter(pk=winner_id).select_related("entrant").first()
    if winner is None:
        return "", User.objects.none()
    return f"winner:{winner_id}", _subscribed(User.objects.filter(pk=winner.entrant.user_id))


def draw_result_build(object_key: str, user: User) -> PushMessage | None:
    winner = Winner.objects.filter(pk=_id_from(object_key), entrant__user=user).select_related("draw", "prize").first()
    if winner is None or not winner.is_current:
        return None
    return PushMessage(
        title=f"You won a prize in {winner.draw.name}",
        body=winner.prize.description,
        url=reverse("draws:detail", kwargs={"pk": winner.draw_id}),
        tag=f"draw:{winner.draw_id}",
    )


# --- A policy change I must acknowledge ----------------------------------------------------


def policy_recipients(version_id: int) -> tuple[str, QuerySet[User]]:
    current = policy_version_requiring_acknowledgement()
    if not settings.GUIDELINES_REQUIRE_ACKNOWLEDGEMENT or current is None or current.pk != version_id:
        return "", User.objects.none()
    people = User.objects.filter(pk__in=employees_needing_acknowledgement().values("pk"))
    return f"version:{version_id}", _subscribed(people)


def policy_build(object_key: str, user: User) -> PushMessage | None:
    version = GuidelineVersion.objects.filter(pk=_id_from(object_key)).select_related("document").first()
    current = policy_version_requiring_acknowledgement()
    if version is None or current is None or current.pk != version.pk or not acknowledgement_required(user=user):
        return None
    return PushMessage(
        title="Please read the new social media policy",
        body=f"{version.document.title}, version {version.number}: read and acknowledge it before sharing again.",
        url=reverse("guidelines:acknowledge"),
        tag="policy",
    )


# --- A connected account of mine about to lapse ---------------------------------------------


def connection_expiring_recipients(account_id: int) -> tuple[str, QuerySet[User]]:
    key, owner_id = reminder_subject(account_id)
    return key, _subscribed(User.objects.filter(pk=owner_id))


def connection_expiring_build(object_key: str, user: User) -> PushMessage | None:
    account = reminder_account(key=object_key, person=user)
    if account is None:
        return None
    return PushMessage(
        title=f"Your {account.get_network_display()} connection lapses on {lapse_day(account.expires_at)}",
        body="Connect it again to keep counting your posts' engagement without pasting links.",
        url=reverse("connections:my_connections"),
        tag=f"connection:{account.pk}",
    )


# --- An invitation waiting for my answer ----------------------------------------------------


def invitation_push_recipients(invitation_id: int) -> tuple[str, QuerySet[User]]:
    notice = invitation_notice(invitation_id)
    if notice is None:
        return "", User.objects.none()
    return f"invitation:{invitation_id}", _subscribed(User.objects.filter(pk=notice.invitee_id))


def invitation_push_build(object_key: str, user: User) -> PushMessage | None:
    notice = invitation_notice(_id_from(object_key))
    if notice is None or notice.invitee_id != user.pk:
        return None
    return PushMessage(title=notice.subject, body="Open it to accept or decline.", url=notice.path, tag=object_key)


# Defaults never nag: nothing at all until the person turns push on for a device, then featured
# posts at most once a day; a win or a policy to acknowledge is rare and about them, so it comes as it happens.
PUSH_KINDS: dict[str, PushKind] = {
    Kind.POST_FEATURED: PushKind(
        "New featured posts for me", PushFrequency.DAILY, featured_post_recipients, featured_post_build
    ),
    Kind.DRAW_RESULT: PushKind(
        "A prize I won in a draw", PushFrequency.IMMEDIATELY, draw_result_recipients, draw_result_build
    ),
    Kind.POLICY_MAJOR_VERSION: PushKind(
        "A new policy version I must acknowledge", PushFrequency.IMMEDIATELY, policy_recipients, policy_build
    ),
    Kind.CONNECTION_EXPIRING: PushKind(
        "A connected account of mine about to lapse",
        PushFrequency.IMMEDIATELY,
        connection_expiring_recipients,
        connection_expiring_build,
    ),
    Kind.INVITATION: PushKind(
        "An invitation waiting for my answer",
        PushFrequency.IMMEDIATELY,
        invitation_push_recipients,
        invitation_push_build,
    ),
}


def push_frequencies_for(*, user) -> dict[str, str]:
    """The person's frequency for every push kind (their choice, or the kind's default)."""
    chosen = dict(PushPreference.objects.filter(user_id=user.pk).values_list("kind", "frequency"))
    return {kind: chosen.get(kind, spec.default) for kind, spec in PUSH_KINDS.items()}


def push_allowed(*, delivery: Delivery, now: datetime) -> bool:
    """The one place the frequency cap is decided: may this claimed push delivery go out now?

    Off: never. As it happens: always. At most daily: only if no other push of this kind went
    to the person in the last 24 hours, counting one being sent right now by another worker
    (the older claim wins, so two at once cannot both go out).
    """
    frequency = push_frequencies_for(user=delivery.user)[delivery.kind]
    if frequency == PushFrequency.OFF:
        return False
    if frequency == PushFrequency.IMMEDIATELY:
        return True
    others = Delivery.objects.filter(user_id=delivery.user_id, kind=delivery.kind, recipient=delivery.recipient)
    others = others.exclude(object_key=delivery.object_key)
    recent = Q(status=Delivery.Status.SENT, sent_at__gt=now - DAILY_WINDOW) | Q(
        status=Delivery.Status.SENDING, claimed_at__gt=now - DAILY_WINDOW, pk__lt=delivery.pk
    )
    return not others.filter(recent).exists()
