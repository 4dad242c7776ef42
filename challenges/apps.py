from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    name = "challenges"
    verbose_name = "Challenges and employees' own posts"

    def ready(self):
        from .personal_data import register_section

        register_section()
