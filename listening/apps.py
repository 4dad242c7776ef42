from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "listening"
    verbose_name = "Listening: hashtag and mention monitor"

    def ready(self):
        from .personal_data import register_section

        register_section()
