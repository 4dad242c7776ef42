from django.apps import AppConfig


class LeaderboardConfig(AppConfig):
    name = "leaderboard"
    verbose_name = "Points and leaderboards"

    def ready(self):
        from advocacy.people import deactivations

        from .personal_data import register_section
        from .tasks import queue_reflag

        register_section()
        deactivations.listen(queue_reflag)
