from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Program analytics"

    def ready(self):
        from .personal_data import register_section

        register_section()
