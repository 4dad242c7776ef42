from django.apps import AppConfig


class BrandingConfig(AppConfig):
    name = "advocacy.branding"
    label = "branding"
    verbose_name = "Branding and design system"

    def ready(self):
        from .personal_data import register_section

        register_section()
