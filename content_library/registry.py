"""Answers the library's pages need from apps above it, registered by those apps.

The feed's "already shared" marker is sharing's fact, and sharing sits above the library
(a share is of a post). Sharing registers the annotation from its AppConfig.ready(), so the
marker is still computed inside the feed's one query and the library never imports sharing.
"""

from collections.abc import Callable

from django.db.models import BooleanField, QuerySet, Value

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
