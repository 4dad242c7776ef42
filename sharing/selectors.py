"""Reads for sharing: the link entry behind a redirect, and the employee's own shares."""

import hashlib
from datetime import datetime, timedelta

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from content_library.models import Post

from .links import destination_with_utm, is_http_url, landing_link
from .models import Click, Share

MISSING_ENTRY = {"state": "missing", "s": 0, "u": 0, "h": "", "d": "", "x": 0, "p": 0, "v": ""}


def post_link_stamp(post: Post) -> str:
    """A short digest of everything about a post that a cached link entry depends on.

    Cached entries carry it; when a post is saved with another stamp its entries are dropped.
    """
    expires = post.expires_at.timestamp() if post.expires_at else 0
    facts = f"{post.status}|{expires}|{post.destination_url}|{post.slug}|{post.campaign_id}"
    return hashlib.blake2b(facts.encode(), digest_size=8).hexdigest()


def share_link_entry(*, code: str) -> dict:
    """What the redirect needs to answer for `code`, as a small dict the click cache stores.

    state: "ok", "expired" (post archived, withdrawn or past its expiry), "unsafe" (a stored
    destination that is not http/https: never followed) or "missing". `x` is the post's
    expiry as a Unix time (0 for none), checked again at every click; `p` and `v` the post and
    its stamp (post_link_stamp), so a cached entry is dropped as soon as the post changes.
    """
    share = Share.objects.select_related("post", "post__campaign").filter(code=code).first()
    if share is None:
        return dict(MISSING_ENTRY)
    post = share.post
    campaign = post.campaign.slug if post.campaign_id else post.slug
    if post.destination_url:
        target = post.destination_url
        state = "ok" if is_http_url(target) else "unsafe"
    else:
        target = landing_link(code)
        state = "ok"
    if post.status != Post.Status.APPROVED:
        state = "expired"
    return {
        "state": state,
        "s": share.pk,
        "u": share.user_id,
        "h": share.sharer_visitor_hash,
        "d": destination_with_utm(url=target, network=share.network, campaign=campaign) if state == "ok" else "",
        "x": int(post.expires_at.timestamp()) if post.expires_at else 0,
        "p": post.pk,
        "v": post_link_stamp(post),
    }


def share_get_for_landing(*, code: str) -> Share:
    """The share behind a landing page, if its post is still live; Http404 otherwise."""
    share = (
        Share.objects.select_related("post", "post__campaign", "user")
        .prefetch_related("post__images")
        .filter(code=code)
        .first()
    )
    if share is None:
        raise Http404("No such link.")
    return share


def shared_links_open(*, post: Post, now: datetime | None = None) -> bool:
    """Whether links already shared for this post still lead anywhere: approved and not expired.

    Deliberately not content_library's ``post_live_q``: publish_at is ignored, because a
    link exists only once the post was live, and moving the post's schedule later must not
    break links people have already posted.
    """
    now = now or timezone.now()
    return post.status == Post.Status.APPROVED and (post.expires_at is None or post.expires_at > now)


def share_list_for_user(*, user) -> QuerySet[Share]:
    """The person's shares, newest first, with their posts and latest engagement totals loaded."""
    return (
        Share.objects.filter(user=user)
        .select_related("post", "post__campaign", "metrics")
        .order_by("-last_shared_at", "-id")
    )


def share_totals_for_user(*, user) -> dict:
    """How many shares the person has and every human click their links received, in one query."""
    return Share.objects.filter(user=user).aggregate(shares=Count("pk"), human_clicks=Coalesce(Sum("human_clicks"), 0))


def published_posts_for_review(*, user_ids: list[int] | None = None, limit: int = 25) -> list[Share]:
    """Pasted posts, newest first, with their verification state and latest numbers (HR review); one query."""
    shares = Share.objects.exclude(published_url="").select_related("user", "post", "metrics")
    if user_ids is not None:
        shares = shares.filter(user_id__in=user_ids)
    return list(shares.order_by("-published_recorded_at", "-id")[:limit])


def human_clicks_for(*, user) -> int:
    """Every human click the person's tracked links ever received (``Share.human_clicks``).

    The one definition of a person's "human clicks": My activity, the 100-clicks badge and the
    analytics all count this; the daily points cap limits points, never this number.
    """
    return Share.objects.filter(user=user).aggregate(total=Sum("human_clicks"))["total"] or 0


def share_get_for_user(*, user, share_id: int) -> Share:
    share = Share.objects.select_related("post").filter(user=user, pk=share_id).first()
    if share is None:
        raise Http404("No such share.")
    return share


def shares_of_post_for_user(*, user, post: Post) -> dict[str, Share]:
    """{network: share} for what this person already shared of this post."""
    return {share.network: share for share in Share.objects.filter(user=user, post=post)}


def visitor_recent_clicks(*, visitor_hash: str, now: datetime) -> int:
    """Requests this visitor made in the last minute (the rate limit when clicks go straight to the database)."""
    return Click.objects.filter(visitor_hash=visitor_hash, occurred_at__gt=now - timedelta(seconds=60)).count()


def address_recent_clicks(*, address_hash: str, now: datetime) -> int:
    """Requests from this address (keyed hash) in the last minute, on any link.

    Read through the time index (no index on the address: it would cost every insert for a
    read made only while Redis is down); the range is closed so that even a never-analysed
    table is planned as the narrow slice it is.
    """
    return Click.objects.filter(
        address_hash=address_hash,
        occurred_at__gt=now - timedelta(seconds=60),
        occurred_at__lte=now + timedelta(seconds=60),
    ).count()


def address_human_clicks(*, share_id: int, address_hash: str) -> int:
    """Human clicks counted on this link from this address today (the address hash is the day's)."""
    return Click.objects.filter(share_id=share_id, address_hash=address_hash, kind=Click.Kind.HUMAN).count()


def click_seen_recently(*, share_id: int, visitor_hashes: tuple[str, ...], now: datetime) -> bool:
    return Click.objects.filter(
        share_id=share_id,
        visitor_hash__in=visitor_hashes,
        kind=Click.Kind.HUMAN,
        occurred_at__gt=now - timedelta(hours=24),
    ).exists()
