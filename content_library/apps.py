from django.apps import AppConfig


class ContentLibraryConfig(AppConfig):
    name = "content_library"
    verbose_name = "Content library"
