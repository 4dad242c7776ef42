"""Answers the library's pages need from apps above it, registered by those apps.

The feed's "already shared" marker is sharing's fact, and sharing sits above the library
(a share is of a post). Sharing registers the annotation from its AppConfig.ready(), so the
marker is still computed inside the feed's one query and the library never imports sharing.
"""

from collections.abc import Callable

from django.db.models import BooleanField, IntegerField, Q, QuerySet, Value

ShareMarker = Callable[..., QuerySet]
_share_marker: list[ShareMarker] = []


def register_share_marker(marker: ShareMarker) -> None:
    """Set ``marker(posts, *, user, network) -> posts`` annotated with a boolean ``already_shared``."""
    _share_marker[:] = [marker]


def with_share_marker(posts: QuerySet, *, user, network: str | None = None) -> QuerySet:
    """Posts annotated with ``already_shared`` for this person (on the network, when one is given)."""
    if not _share_marker:
        return posts.annotate(already_shared=Value(False, output_field=BooleanField()))
    return _share_marker[0](posts, user=user, network=network)


PostPerformance = Callable[[QuerySet], QuerySet]
_post_performance: list[PostPerformance] = []


def register_post_performance(annotate: PostPerformance) -> None:
    """Set ``annotate(posts) -> posts`` with integers ``share_count`` and ``human_click_count`` (all time).

    The analytics app keeps those totals (it sits above the library), so the comms post
    list sorts by them inside its one query.
    """
    _post_performance[:] = [annotate]


def with_post_performance(posts: QuerySet) -> QuerySet:
    """Posts annotated with ``share_count`` and ``human_click_count`` (0 when no app registered them)."""
    if not _post_performance:
        return posts.annotate(
            share_count=Value(0, output_field=IntegerField()), human_click_count=Value(0, output_field=IntegerField())
        )
    return _post_performance[0](posts)


AudienceNarrowing = Callable[..., Q]
_audience_narrowing: list[AudienceNarrowing] = []


def register_audience_narrowing(narrowing: AudienceNarrowing) -> None:
    """Set ``narrowing(*, user, now) -> Q`` over posts, ANDed into who sees a post (``post_visible_to_q``).

    The programme's beta groups (a campaign limited to a cohort until it opens to everyone)
    are the programme's fact; it registers them here so the one visibility rule still holds
    for the feed, the post page, the API and sharing.
    """
    _audience_narrowing[:] = [narrowing]


def audience_narrowing_q(*, user, now) -> Q:
    return _audience_narrowing[0](user=user, now=now) if _audience_narrowing else Q()
