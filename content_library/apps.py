from django.apps import AppConfig


class ContentLibraryConfig(AppConfig):
    name = "content_library"
    verbose_name = "Content library"

    def ready(self):
        from .personal_data import register_section

        register_section()
