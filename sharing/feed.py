"""What sharing adds to the library's feed: the "already shared" marker (registered in apps.py)."""

from django.db.models import Exists, OuterRef, QuerySet

from .models import Share


def posts_with_share_marker(posts: QuerySet, *, user, network: str | None = None) -> QuerySet:
    """Annotate posts with ``already_shared``: this person has a share of it (on ``network`` when given)."""
    shares = Share.objects.filter(post_id=OuterRef("pk"), user_id=user.pk)
    if network:
        shares = shares.filter(network=network)
    return posts.annotate(already_shared=Exists(shares))
