from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Program analytics"

    def ready(self):
        from content_library.registry import register_post_performance

        from .personal_data import register_section
        from .post_list import posts_with_performance

        register_section()
        register_post_performance(posts_with_performance)
