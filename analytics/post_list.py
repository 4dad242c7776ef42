"""The all-time shares and human clicks the comms post list shows, read from ``PostRollup``."""

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .models import PostRollup


def posts_with_performance(posts: QuerySet) -> QuerySet:
    """Posts annotated with ``share_count`` and ``human_click_count`` from the worker's per-post rollup.

    Registered with ``content_library.registry`` (apps.py); a post with no share yet has 0.
    """
    mine = PostRollup.objects.filter(post_id=OuterRef("pk"))
    return posts.annotate(
        share_count=Coalesce(Subquery(mine.values("share_count")[:1]), 0, output_field=IntegerField()),
        human_click_count=Coalesce(Subquery(mine.values("human_click_count")[:1]), 0, output_field=IntegerField()),
    )
