"""Reads for the content library.

"Live" and "visible to this person" are defined once here (post_live_q,
post_visible_to_q); the feed page, the detail page, the API and the nav badge all
use them, so a post an employee may not see is unreachable everywhere.
"""

import re
from datetime import UTC, date, datetime, timedelta

from django.core.files.storage import default_storage
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from advocacy.networks import Network

from .caption_fit import annotate_fits
from .models import Campaign, LibraryVisit, Post, PostCaption, PostImage, PostTransition, PostVideo, Suggestion, Topic
from .registry import audience_narrowing_q, with_post_performance, with_share_marker
from .renditions import NETWORK_RENDITIONS, RENDITION_USES, RENDITIONS, rendition_size

_HASHTAG = re.compile(r"#?([^\s#]+)")

FEED_PAGE_SIZE = 12


def hashtags_parse(raw: str) -> list[str]:
    """'#Launch  growth #launch' -> ['#Launch', '#growth'] (first spelling kept, no duplicates)."""
    seen: dict[str, str] = {}
    for match in _HASHTAG.finditer(raw or ""):
        tag = "#" + match.group(1)
        seen.setdefault(tag.lower(), tag)
    return list(seen.values())


def post_required_hashtags(*, post: Post) -> list[str]:
    """The hashtags every share of this post must carry: the post's own, then its campaign's."""
    campaign_tags = post.campaign.hashtag if post.campaign_id else ""
    return hashtags_parse(f"{post.hashtags} {campaign_tags}")


def post_caption_for(*, post: Post, network: str) -> str:
    """The suggested caption for a network: its override if there is one, else the general suggestion."""
    for caption in post.captions.all():
        if caption.network == network:
            return caption.text
    return post.suggested_caption


def post_captions_by_network(*, post: Post) -> dict[str, str]:
    """{network: suggested caption} for every network, overrides applied."""
    return {network.value: post_caption_for(post=post, network=network.value) for network in Network}


# --- Visibility ---------------------------------------------------------------


def post_live_q(*, now: datetime | None = None, prefix: str = "") -> Q:
    """Approved, published (publish_at <= now) and not expired (now < expires_at; no expiry = never).

    A post with no publish_at is not scheduled, so it is not live even when approved.
    prefix ("posts__") applies the rule across a relation, e.g. to count a campaign's live posts.
    """
    now = now or timezone.now()
    return Q(
        **{
            f"{prefix}status": Post.Status.APPROVED,
            f"{prefix}publish_at__isnull": False,
            f"{prefix}publish_at__lte": now,
        }
    ) & (Q(**{f"{prefix}expires_at__isnull": True}) | Q(**{f"{prefix}expires_at__gt": now}))


def post_visible_to_q(*, user, now: datetime | None = None) -> Q:
    """A live library post aimed at everyone or at the person's team (employees' own posts never are).

    Apps above may narrow it further (``registry.register_audience_narrowing``: the programme's beta groups).
    """
    now = now or timezone.now()
    return (
        post_live_q(now=now)
        & Q(kind=Post.Kind.LIBRARY)
        & post_targeted_to_q(user=user)
        & audience_narrowing_q(user=user, now=now)
    )


def post_targeted_to_q(*, user) -> Q:
    """Aimed at everyone or at the person's team, whatever the schedule."""
    targeted = Q(target_everyone=True)
    team_id = getattr(user, "team_id", None)
    if team_id is not None:
        # Exists rather than a join, so a post aimed at several teams is never counted twice.
        targeted |= Q(
            Exists(Post.target_teams.through.objects.filter(post_id=OuterRef("pk"), team_id=team_id)),
        )
    return targeted


def post_shareable_q(*, user, now: datetime | None = None) -> Q:
    """What a person may share: the library posts they see, and their own live employee posts."""
    own = Q(kind=Post.Kind.EMPLOYEE, created_by_id=getattr(user, "pk", None))
    return post_visible_to_q(user=user, now=now) | (post_live_q(now=now) & own)


def _with_display_relations(posts: QuerySet[Post]) -> QuerySet[Post]:
    return posts.select_related("campaign", "suggested_by", "video").prefetch_related(
        Prefetch("images", queryset=PostImage.objects.order_by("position", "id")),
        Prefetch("topics", queryset=Topic.objects.order_by("name")),
        Prefetch("captions", queryset=PostCaption.objects.order_by("network")),
    )


def post_feed(
    *,
    user,
    topic: str | Topic | None = None,
    campaign: str | Campaign | None = None,
    content_type: str | None = None,
    network: str | None = None,
    search: str | None = None,
) -> QuerySet[Post]:
    """The posts a person may share, featured first then newest, with what a card needs loaded.

    Each post carries ``already_shared`` (on the chosen network when one is given).
    topic and campaign are objects or slugs; network keeps posts whose caption fits it.
    """
    posts = Post.objects.filter(post_visible_to_q(user=user))
    if topic:
        topic_slug = topic.slug if isinstance(topic, Topic) else topic
        posts = posts.filter(Exists(Post.topics.through.objects.filter(post_id=OuterRef("pk"), topic__slug=topic_slug)))
    if campaign:
        posts = posts.filter(campaign__slug=campaign.slug if isinstance(campaign, Campaign) else campaign)
    if content_type:
        posts = posts.filter(content_type=content_type)
    if network:
        posts = annotate_fits(posts, network)
    if search and search.strip():
        posts = posts.filter(_search_q(search.strip()))
    posts = with_share_marker(posts, user=user, network=network)
    return _with_display_relations(posts).order_by("-is_featured", "-publish_at", "-id")


def _search_q(search: str) -> Q:
    in_captions = PostCaption.objects.filter(post_id=OuterRef("pk"), text__icontains=search)
    return (
        Q(title__icontains=search)
        | Q(body__icontains=search)
        | Q(suggested_caption__icontains=search)
        | Q(Exists(in_captions))
    )


def post_get_for_employee(*, user, slug: str) -> Post:
    """The post at this slug if this person may see it now; Http404 otherwise (whatever the reason)."""
    posts = _with_display_relations(with_share_marker(Post.objects.filter(post_visible_to_q(user=user)), user=user))
    post = posts.filter(slug=slug).first()
    if post is None:
        raise Http404("No such post in your library.")
    return post


def library_new_count(*, user) -> int:
    """How many posts this person may see that went live since they last opened the feed (one query)."""
    last_seen = Subquery(LibraryVisit.objects.filter(user_id=user.pk).values("seen_at")[:1])
    epoch = Value(datetime(2000, 1, 1, tzinfo=UTC))
    return (
        Post.objects.filter(post_visible_to_q(user=user))
        .annotate(last_seen=Coalesce(last_seen, epoch))
        .filter(publish_at__gt=F("last_seen"))
        .count()
    )


def library_last_visit(*, user) -> datetime | None:
    return LibraryVisit.objects.filter(user_id=user.pk).values_list("seen_at", flat=True).first()


# --- Images -------------------------------------------------------------------


def image_rendition(*, image: PostImage, size: str = "thumb") -> dict:
    """{"url", "width", "height", "alt", "pending"} for a rendition, or the original while it is pending."""
    name = (image.renditions or {}).get(size)
    if name and size in RENDITIONS:
        width, height = rendition_size(image.width, image.height, RENDITIONS[size])
        return {
            "url": default_storage.url(name),
            "width": width,
            "height": height,
            "alt": image.alt_text,
            "pending": False,
        }
    return {
        "url": image.image.url,
        "width": image.width,
        "height": image.height,
        "alt": image.alt_text,
        "pending": True,
    }


def post_preview_image(*, post: Post, size: str = "1200x627") -> dict | None:
    """The post's first image as {"url", "width", "height", "alt"} (a relative URL), or None without images.

    The rendition of the requested size when it is ready; the original while it is pending.
    """
    images = list(post.images.all())
    if not images:
        return None
    first = min(images, key=lambda image: (image.position, image.id))
    best = image_rendition(image=first, size=size)
    return {key: best[key] for key in ("url", "width", "height", "alt")}


def post_network_images(*, post: Post) -> dict[str, dict]:
    """{network: image} with the rendition each network shows (NETWORK_RENDITIONS); {} without images."""
    images = list(post.images.all())
    if not images:
        return {}
    first = min(images, key=lambda image: (image.position, image.id))
    return {network: image_rendition(image=first, size=size) for network, size in NETWORK_RENDITIONS.items()}


def image_downloads(*, image: PostImage) -> list[dict]:
    """One download per distinct file size, labelled by its use: {"url", "width", "height", "label"}.

    The original comes first; a rendition the same size as one already listed (a small
    original makes several renditions the same size) adds its use to that button instead.
    """
    downloads = [
        {"url": image.image.url, "width": image.width, "height": image.height, "label": "original", "uses": []}
    ]
    by_size = {(image.width, image.height): downloads[0]}
    for size, use in RENDITION_USES.items():
        if size not in (image.renditions or {}):
            continue
        rendition = image_rendition(image=image, size=size)
        key = (rendition["width"], rendition["height"])
        if key in by_size:
            by_size[key]["uses"].append(use)
            continue
        by_size[key] = {**rendition, "label": use, "uses": []}
        downloads.append(by_size[key])
    for download in downloads:
        size = f"({download['width']}×{download['height']})"
        also = f", also for {' and '.join(download['uses'])}" if download["uses"] else ""
        download["text"] = f"Download {download['label']} {size}{also}"
    return downloads


# --- Comms workspace ----------------------------------------------------------


class PostState:
    """Where a post is in its life, from its status and its schedule now (the comms post list's column)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    REJECTED = "rejected"
    APPROVED = "approved"  # approved but with no publish time yet: not scheduled
    SCHEDULED = "scheduled"
    LIVE = "live"
    EXPIRED = "expired"
    ARCHIVED = "archived"

    # In the order of a post's life, which is also the order the column sorts in.
    choices = [
        (DRAFT, "Draft"),
        (SUBMITTED, "Submitted"),
        (REJECTED, "Rejected"),
        (APPROVED, "Approved, not scheduled"),
        (SCHEDULED, "Scheduled"),
        (LIVE, "Live"),
        (EXPIRED, "Expired"),
        (ARCHIVED, "Archived"),
    ]
    labels = dict(choices)
    ranks = {value: rank for rank, (value, _) in enumerate(choices)}


def post_state_rank(*, now: datetime) -> Case:
    """The post's state as its rank in ``PostState.choices``, computed by the database (to filter and sort by)."""
    ranks, approved = PostState.ranks, Q(status=Post.Status.APPROVED)
    return Case(
        When(status=Post.Status.DRAFT, then=Value(ranks[PostState.DRAFT])),
        When(status=Post.Status.SUBMITTED, then=Value(ranks[PostState.SUBMITTED])),
        When(status=Post.Status.REJECTED, then=Value(ranks[PostState.REJECTED])),
        When(approved & Q(publish_at__isnull=True), then=Value(ranks[PostState.APPROVED])),
        When(approved & Q(publish_at__gt=now), then=Value(ranks[PostState.SCHEDULED])),
        When(approved & Q(expires_at__lte=now), then=Value(ranks[PostState.EXPIRED])),
        When(approved, then=Value(ranks[PostState.LIVE])),
        default=Value(ranks[PostState.ARCHIVED]),
        output_field=IntegerField(),
    )


# sort key -> the columns it orders by (ascending); "-key" reverses them. The id breaks ties.
COMMS_POST_SORTS = {
    "updated": ("updated_at",),
    "title": ("title",),
    "state": ("state_rank", "publish_at"),
    "type": ("content_type",),
    "campaign": ("campaign__name",),
    "publishes": ("publish_at",),
    "expires": ("expires_at",),
    "shares": ("share_count", "human_click_count"),
    "clicks": ("human_click_count", "share_count"),
}
COMMS_POST_DEFAULT_SORT = "-updated"


def _sort_order(sort: str) -> list:
    descending = sort.startswith("-")
    columns = COMMS_POST_SORTS[sort.removeprefix("-")]
    order = [F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True) for column in columns]
    return [*order, "-id" if descending else "id"]


def post_list_for_comms(
    *,
    status: str | None = None,
    state: str | None = None,
    campaign: Campaign | int | None = None,
    content_type: str | None = None,
    search: str | None = None,
    sort: str = COMMS_POST_DEFAULT_SORT,
    now: datetime | None = None,
    with_content: bool = False,
) -> QuerySet[Post]:
    """Every post for the comms workspace, filtered and sorted in one query.

    Each post carries ``state_rank`` (see ``PostState``; ``post.state`` is not set, use
    ``PostState.choices[post.state_rank]``) and its all-time ``share_count`` and
    ``human_click_count`` (registered by the analytics app, read from its per-post rollup).
    ``sort`` is a key of ``COMMS_POST_SORTS``, "-" first for descending. ``with_content``
    also loads images, topics and captions (the API's full representation).
    """
    posts = with_post_performance(
        Post.objects.filter(kind=Post.Kind.LIBRARY)
        .select_related("campaign")
        .annotate(state_rank=post_state_rank(now=now or timezone.now()))
    ).prefetch_related("target_teams")
    if with_content:
        posts = _with_display_relations(posts)
    if status:
        posts = posts.filter(status=status)
    if state:
        posts = posts.filter(state_rank=PostState.ranks[state])
    if campaign:
        posts = posts.filter(campaign=campaign)
    if content_type:
        posts = posts.filter(content_type=content_type)
    if search and search.strip():
        posts = posts.filter(_search_q(search.strip()))
    return posts.order_by(*_sort_order(sort))


def post_get_for_comms(*, post_id: int) -> Post:
    posts = _with_display_relations(Post.objects.all()).prefetch_related(
        "target_teams",
        Prefetch("transitions", queryset=PostTransition.objects.select_related("actor").order_by("created_at", "id")),
    )
    post = posts.filter(pk=post_id).select_related("created_by").first()
    if post is None:
        raise Http404("No such post.")
    return post


def review_queue() -> dict:
    """Submitted posts (oldest first) and pending suggestions (oldest first), with what the queue shows."""
    submitted = (
        _with_display_relations(Post.objects.filter(status=Post.Status.SUBMITTED))
        .select_related("created_by")
        .order_by("updated_at", "id")
    )
    suggestions = Suggestion.objects.filter(status=Suggestion.Status.PENDING).select_related("author", "author__team")
    return {"posts": submitted, "suggestions": suggestions.order_by("created_at", "id")}


def post_calendar(*, start: date, days: int = 42) -> dict:
    """Publish and expiry events of approved and submitted posts between start and start + days, by day."""
    tz = timezone.get_current_timezone()
    begin = datetime.combine(start, datetime.min.time(), tzinfo=tz)
    end = begin + timedelta(days=days)
    active = [Post.Status.APPROVED, Post.Status.SUBMITTED]
    posts = (
        Post.objects.filter(status__in=active, kind=Post.Kind.LIBRARY)
        .filter(Q(publish_at__gte=begin, publish_at__lt=end) | Q(expires_at__gte=begin, expires_at__lt=end))
        .select_related("campaign")
        .order_by("publish_at", "id")
    )
    events: dict[date, list[dict]] = {}
    for post in posts:
        for kind, moment in (("publishes", post.publish_at), ("expires", post.expires_at)):
            if moment and begin <= moment < end:
                day = timezone.localtime(moment, tz).date()
                events.setdefault(day, []).append({"kind": kind, "at": moment, "post": post})
    for day_events in events.values():
        day_events.sort(key=lambda event: event["at"])
    unscheduled = Post.objects.filter(status__in=active, kind=Post.Kind.LIBRARY, publish_at__isnull=True).order_by(
        "-updated_at"
    )
    return {
        "start": start,
        "end": (end - timedelta(days=1)).date(),
        "days": sorted(events.items()),
        "unscheduled": unscheduled,
    }


def post_calendar_grid(*, start: date, days: int) -> dict:
    """post_calendar laid out in weeks (Monday first) for the month grid and the week view.

    ``start`` must be a Monday and ``days`` a multiple of 7; each cell is
    {"day", "events", "today"}.
    """
    calendar = post_calendar(start=start, days=days)
    by_day = dict(calendar["days"])
    today = timezone.localdate()
    cells = [start + timedelta(days=offset) for offset in range(days)]
    calendar["weeks"] = [
        [{"day": day, "events": by_day.get(day, []), "today": day == today} for day in cells[week : week + 7]]
        for week in range(0, days, 7)
    ]
    return calendar


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.annotate(
        post_count=Count("posts", distinct=True),
        live_count=Count("posts", filter=post_live_q(prefix="posts__"), distinct=True),
    ).order_by(F("starts_on").desc(nulls_last=True), "name")


def campaign_choices_for_feed(*, user) -> QuerySet[Campaign]:
    """Campaigns with at least one post this person can see (the feed's filter menu)."""
    visible = Post.objects.filter(post_visible_to_q(user=user), campaign_id=OuterRef("pk"))
    return Campaign.objects.filter(Exists(visible)).order_by("name")


def topic_choices_for_feed(*, user) -> QuerySet[Topic]:
    visible = Post.objects.filter(post_visible_to_q(user=user), topics=OuterRef("pk"))
    return Topic.objects.filter(Exists(visible)).order_by("name")


def suggestion_list_for_author(*, user) -> QuerySet[Suggestion]:
    return Suggestion.objects.filter(author=user).select_related("post").order_by("-created_at", "-id")


def post_video_get_public(*, video_id: int) -> PostVideo:
    """A video of an approved post (library or an employee's own), for the player and downloads; Http404 otherwise."""
    video = PostVideo.objects.select_related("post").filter(pk=video_id, post__status=Post.Status.APPROVED).first()
    if video is None or not video.file:
        raise Http404("No such video.")
    return video


# --- Start pages (advocacy.homes) ---------------------------------------------

HOME_PICKS = 5


def share_today_picks(*, user, now: datetime | None = None, limit: int = HOME_PICKS) -> list[Post]:
    """Up to ``limit`` live posts this person may share and has not shared yet, best reason first.

    Featured, then new since their last visit to the library, then aimed at their team, then newest;
    each post carries ``is_new`` and ``for_my_team`` to say why it was picked. Two queries: the
    posts (visit time and share marker as subqueries), then their images.
    """
    now = now or timezone.now()
    last_seen = Subquery(LibraryVisit.objects.filter(user_id=user.pk).values("seen_at")[:1])
    epoch = Value(datetime(2000, 1, 1, tzinfo=UTC))
    posts = with_share_marker(Post.objects.filter(post_visible_to_q(user=user, now=now)), user=user)
    posts = (
        posts.filter(already_shared=False)
        .annotate(
            is_new=Q(publish_at__gt=Coalesce(last_seen, epoch)),
            for_my_team=Q(target_everyone=False),
        )
        .select_related("campaign")
        .prefetch_related(Prefetch("images", queryset=PostImage.objects.order_by("position", "id")))
        .order_by("-is_featured", "-is_new", "-for_my_team", "-publish_at", "-id")
    )
    return list(posts[:limit])


def home_share_today(*, user, now: datetime) -> dict:
    """The employee home's "share this today" panel (two queries)."""
    return {"picks": share_today_picks(user=user, now=now)}


def home_comms_week(*, user, now: datetime) -> dict:
    """What goes live and what expires in the next seven days, and the review queue's size (four queries)."""
    week_end = now + timedelta(days=7)
    scheduled = Post.objects.filter(status=Post.Status.APPROVED)
    going_live = list(
        scheduled.filter(publish_at__gt=now, publish_at__lte=week_end)
        .only("pk", "title", "publish_at")
        .order_by("publish_at", "pk")[:10]
    )
    expiring = list(
        scheduled.filter(publish_at__lte=now, expires_at__gt=now, expires_at__lte=week_end)
        .only("pk", "title", "expires_at")
        .order_by("expires_at", "pk")[:10]
    )
    return {
        "going_live": going_live,
        "expiring": expiring,
        "review_posts": Post.objects.filter(status=Post.Status.SUBMITTED).count(),
        "review_suggestions": Suggestion.objects.filter(status=Suggestion.Status.PENDING).count(),
    }
