from django.apps import AppConfig


class LeaderboardConfig(AppConfig):
    name = "leaderboard"
    verbose_name = "Points and leaderboards"

    def ready(self):
        from .personal_data import register_section

        register_section()
