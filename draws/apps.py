from django.apps import AppConfig


class DrawsConfig(AppConfig):
    name = "draws"
    verbose_name = "Reward draws"

    def ready(self):
        from guidelines.registry import register_major_version_impact, register_reward_draw_check

        from .personal_data import register_section
        from .selectors import open_draw_entrants_needing_policy, post_enters_open_draw

        register_section()
        register_reward_draw_check(post_enters_open_draw)
        register_major_version_impact(open_draw_entrants_needing_policy)
