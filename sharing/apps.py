from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = "Share tracker"

    def ready(self):
        from content_library.registry import register_share_marker

        from .feed import posts_with_share_marker
        from .personal_data import register_section

        register_section()
        register_share_marker(posts_with_share_marker)
