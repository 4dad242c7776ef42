from django.apps import AppConfig


class GuidelinesConfig(AppConfig):
    name = "guidelines"
    verbose_name = "Guidelines portal"

    def ready(self):
        from .personal_data import register_section

        register_section()
