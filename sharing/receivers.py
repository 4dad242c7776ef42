"""Keeping cached tracked links true to their post.

A post that is archived, rejected, withdrawn, re-scheduled or pointed elsewhere must stop
(or change) its links at once, not when the cache runs out. content_library knows nothing of
sharing (it is the lower app), so sharing listens to its Post model's saves and deletions
(connected in SharingConfig.ready) and, once the change is committed, publishes the post's new
stamp; every cached entry still carrying the old stamp is then dropped on its next click.
"""

from django.db import transaction

from . import clickstream
from .selectors import post_link_stamp

DELETED_STAMP = "deleted"


def post_saved(sender, instance, **kwargs) -> None:
    stamp = post_link_stamp(instance)
    transaction.on_commit(lambda: clickstream.post_stamp_publish(post_id=instance.pk, stamp=stamp))


def post_deleted(sender, instance, **kwargs) -> None:
    post_id = instance.pk
    transaction.on_commit(lambda: clickstream.post_stamp_publish(post_id=post_id, stamp=DELETED_STAMP))
