from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "connections"
    verbose_name = "Connected accounts"

    def ready(self):
        from .personal_data import register_section

        register_section()
