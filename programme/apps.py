from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = "Programme"

    def ready(self) -> None:
        from .hooks import register_hooks

        register_hooks()
