from django.apps import AppConfig


class DrawsConfig(AppConfig):
    name = "draws"
    verbose_name = "Reward draws"

    def ready(self):
        from guidelines.registry import register_reward_draw_check

        from .personal_data import register_section
        from .selectors import post_enters_open_draw

        register_section()
        register_reward_draw_check(post_enters_open_draw)
