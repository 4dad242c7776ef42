from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = "Share tracker"

    def ready(self) -> None:
        from content_library.models import Post
        from content_library.registry import register_share_marker

        from .feed import posts_with_share_marker
        from .personal_data import register_section
        from .receivers import post_deleted, post_saved

        register_section()
        register_share_marker(posts_with_share_marker)
        post_save.connect(post_saved, sender=Post, dispatch_uid="sharing.post_saved")
        post_delete.connect(post_deleted, sender=Post, dispatch_uid="sharing.post_deleted")
