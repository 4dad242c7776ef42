"""Reads for notifications: who receives what, and what a weekly digest says."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from advocacy.panels import digest_lines
from advocacy.people.models import User
from advocacy.people.roles import COMMS_WORKSPACE, EMPLOYEE_AREA
from content_library.models import Post
from content_library.selectors import post_visible_to_q
from guidelines.selectors import employees_needing_acknowledgement, policy_version_requiring_acknowledgement

from .models import Delivery

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
DIGEST_NEW_POSTS = 10
DIGEST_FEATURED_POSTS = 5


def comms_admins() -> QuerySet[User]:
    """Active people holding the comms workspace permission (through a role or directly) with an email address.

    Superusers are not included just for being superusers: they hold every permission
    without having asked for the review queue in their inbox.
    """
    return (
        User.objects.with_perm(COMMS_WORKSPACE, is_active=True, include_superusers=False, backend=MODEL_BACKEND)
        .exclude(email="")
        .order_by("pk")
    )


def policy_recipients(*, version_id: int) -> QuerySet[User]:
    """Who is asked to acknowledge this major policy version: none unless it is the one acknowledgement requires."""
    if not settings.GUIDELINES_REQUIRE_ACKNOWLEDGEMENT:
        return User.objects.none()
    current = policy_version_requiring_acknowledgement()
    if current is None or current.pk != version_id:
        return User.objects.none()
    return employees_needing_acknowledgement().filter(notify_policy_updates=True).exclude(email="")


def digest_recipients(*, week_key: str) -> QuerySet[User]:
    """Active people who opted in to the weekly digest and have not had (or been skipped for) this week's yet."""
    done = Delivery.objects.filter(
        kind=Delivery.Kind.WEEKLY_DIGEST,
        object_key=week_key,
        status__in=[Delivery.Status.SENT, Delivery.Status.SKIPPED],
    ).values("user_id")
    return (
        User.objects.with_perm(EMPLOYEE_AREA, is_active=True, include_superusers=False, backend=MODEL_BACKEND)
        .filter(digest_frequency=User.DigestFrequency.WEEKLY)
        .exclude(email="")
        .exclude(pk__in=done)
        .order_by("pk")
    )


def iso_week_key(moment: datetime) -> str:
    """'2026-W07': the ISO week of a moment in the site's time zone (what a digest is keyed by)."""
    year, week, _ = timezone.localtime(moment).isocalendar()
    return f"{year}-W{week:02d}"


def digest_last_sent_at(*, user) -> datetime | None:
    return (
        Delivery.objects.filter(user=user, kind=Delivery.Kind.WEEKLY_DIGEST, status=Delivery.Status.SENT)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )


@dataclass
class DigestPoints:
    week_start: object
    week_end: object
    points: int
    rank: int | None
    total: int


@dataclass
class Digest:
    since: datetime
    new_posts: list[Post] = field(default_factory=list)
    featured_posts: list[Post] = field(default_factory=list)
    points: DigestPoints | None = None
    # One-line news registered by higher apps (advocacy.panels), e.g. how the programme is doing.
    lines: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.new_posts or self.featured_posts or (self.points and self.points.total))


def digest_points(*, user, now: datetime) -> DigestPoints:
    """Last complete week's points and rank on the company board, plus the all-time total, from the leaderboard."""
    from leaderboard.selectors import board_resolve, points_total_for, standing_with_rank

    board = board_resolve(period="week", previous=True, now=now)
    standing = standing_with_rank(board=board, user_id=user.pk)
    points, rank = 0, None
    if standing is not None:
        points = standing.points
        if not standing.unranked:
            rank = standing.rank
    return DigestPoints(
        week_start=board.start, week_end=board.last_day, points=points, rank=rank, total=points_total_for(user=user)
    )


def digest_for(*, user, now: datetime | None = None) -> Digest:
    """What one person's weekly digest says: posts gone live for them since their last digest
    (or in the last 7 days), the featured posts they can share now, and their points.
    """
    now = now or timezone.now()
    since = digest_last_sent_at(user=user) or now - timedelta(days=7)
    visible = Post.objects.filter(post_visible_to_q(user=user, now=now)).select_related("campaign")
    new_posts = list(
        visible.filter(publish_at__gt=since).order_by("-is_featured", "-publish_at", "-id")[:DIGEST_NEW_POSTS]
    )
    shown = [post.pk for post in new_posts]
    featured = list(
        visible.filter(is_featured=True).exclude(pk__in=shown).order_by("-publish_at", "-id")[:DIGEST_FEATURED_POSTS]
    )
    return Digest(
        since=since,
        new_posts=new_posts,
        featured_posts=featured,
        points=digest_points(user=user, now=now),
        lines=digest_lines(user=user, now=now),
    )


def notification_channels_for(*, user) -> dict:
    """What the preferences page shows besides the form: push set-up, this person's devices, the chat channels."""
    from django.conf import settings as django_settings

    from .models import PushSubscription
    from .push import push_enabled
    from .webhooks import configured_channels

    return {
        "push_enabled": push_enabled(),
        "vapid_public_key": django_settings.VAPID_PUBLIC_KEY,
        "push_device_count": PushSubscription.objects.filter(user=user).count(),
        "chat_channels": [channel.title() for channel in configured_channels()],
    }
