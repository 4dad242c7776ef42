from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Engagement metrics"

    def ready(self) -> None:
        from connections.registry import register_account_connected

        from .tracking import shares_resume_tracking

        register_account_connected(key="metrics", listener=shares_resume_tracking)
