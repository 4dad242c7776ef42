"""Ambassadors first: upcoming posts before everyone, each with a feedback thread (ambassadors and comms).

An upcoming post is an approved library post scheduled to go live later (``publish_at`` in the
future, not expired), aimed at everyone or at the ambassador's team: what they will see in their
feed once it is live, shown now. A post of a campaign still in beta is previewed only by the
ambassadors in that beta's cohort: the beta rule (``beta_narrowing_q``) applies here as in the feed.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.people.roles import COMMS_WORKSPACE
from content_library.models import Post
from content_library.selectors import post_targeted_to_q

from .ambassadorship import beta_narrowing_q, is_ambassador
from .models import PostFeedback

PREVIEW_LIMIT = 50
MAX_FEEDBACK = 2000


def upcoming_q(*, now: datetime) -> Q:
    """Approved library posts scheduled to go live after now (and not already expired)."""
    return Q(status=Post.Status.APPROVED, kind=Post.Kind.LIBRARY, publish_at__gt=now) & (
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def is_upcoming(post: Post, *, now: datetime | None = None) -> bool:
    """Whether this post is upcoming now (``upcoming_q``, the one rule; 1 query)."""
    return Post.objects.filter(upcoming_q(now=now or timezone.now()), pk=post.pk).exists()


def _previewable_q(*, user, now: datetime) -> Q:
    """Upcoming posts this person may preview: comms all of them; others those aimed at them, beta rule included."""
    if user.has_perm(COMMS_WORKSPACE):
        return upcoming_q(now=now)
    return upcoming_q(now=now) & post_targeted_to_q(user=user) & beta_narrowing_q(user=user, now=now)


def may_give_feedback(*, user) -> bool:
    return user.has_perm(COMMS_WORKSPACE) or is_ambassador(user=user)


def upcoming_posts_for(*, user, now: datetime | None = None) -> QuerySet[Post]:
    """What an ambassador (or comms) may preview, soonest first, with campaign and feedback counts (1 query)."""
    now = now or timezone.now()
    return (
        Post.objects.filter(_previewable_q(user=user, now=now))
        .select_related("campaign")
        .annotate(feedback_count=_feedback_count())
        .order_by("publish_at", "pk")[:PREVIEW_LIMIT]
    )


def _feedback_count():
    counts = PostFeedback.objects.filter(post_id=OuterRef("pk")).order_by().values("post_id").annotate(n=Count("pk"))
    return Coalesce(Subquery(counts.values("n")[:1], output_field=IntegerField()), 0)


def upcoming_post_get(*, user, post_id: int, now: datetime | None = None) -> Post:
    """The upcoming post if this person may preview it; Http404 otherwise."""
    now = now or timezone.now()
    posts = Post.objects.filter(_previewable_q(user=user, now=now), pk=post_id).select_related("campaign")
    post = posts.prefetch_related("images").first()
    if post is None:
        raise Http404("No such upcoming post.")
    return post


def feedback_thread(*, post: Post) -> QuerySet[PostFeedback]:
    """The post's feedback, oldest first, with authors and their teams (1 query)."""
    return PostFeedback.objects.filter(post=post).select_related("author", "author__team").order_by("created_at", "pk")


@transaction.atomic
def feedback_add(*, post: Post, author, text: str, now: datetime | None = None) -> PostFeedback:
    """Add to an upcoming post's thread: ambassadors and comms only, a non-empty text of at most 2,000 characters."""
    if not may_give_feedback(user=author):
        raise PermissionDenied("Only ambassadors and comms take part in the preview.")
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write your feedback before sending it.")})
    if len(text) > MAX_FEEDBACK:
        raise ValidationError(
            {
                "text": _("Keep feedback under %(limit)s characters (this is %(count)s).")
                % {"limit": f"{MAX_FEEDBACK:,}", "count": f"{len(text):,}"}
            }
        )
    return PostFeedback.objects.create(post=post, author=author, text=text, created_at=now or timezone.now())
