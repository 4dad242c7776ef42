from django.apps import AppConfig


class ScimConfig(AppConfig):
    name = "scim"
    verbose_name = "SCIM provisioning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from advocacy.people import deactivations

        from .personal_data import register_section
        from .selectors import deactivation_notes

        register_section()
        # HR review and the draw pages say why a person left; only we know when SCIM did it.
        deactivations.register(deactivation_notes)
