from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_role_groups(sender, using, apps=None, **kwargs):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    from .services import role_groups_sync

    # Permissions of apps listed after this one are created later in the same signal; make them now.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    role_groups_sync()


class PeopleConfig(AppConfig):
    name = "advocacy.people"
    label = "people"
    verbose_name = "People and teams"

    def ready(self):
        post_migrate.connect(_sync_role_groups, sender=self, dispatch_uid="people-sync-role-groups")
        from .personal_data import keep, register
        from .selectors import person_profile_export

        # The account itself is anonymised by person_erase; roles are in the profile.
        register(
            "people",
            export=person_profile_export,
            erase=keep,
            models=["people.User_groups", "people.User_user_permissions"],
            position=0,
        )
        from .provisioning_data import provisioning_erase, provisioning_export

        # Sign-in identities, invitations, import rows and the audit log (erase wipes what names them).
        register(
            "people_provisioning",
            export=provisioning_export,
            erase=provisioning_erase,
            models=[
                "people.User",  # User.manager
                "people.ExternalIdentity",
                "people.AuditEntry",
                "people.Invitation",
                "people.PeopleImport",
                "people.PeopleImportRow",
            ],
            position=90,
        )
        from .mfa import mfa_devices_delete, mfa_export

        # An erased account keeps no authenticator secret nor recovery codes.
        register(
            "two_step_sign_in",
            export=mfa_export,
            erase=mfa_devices_delete,
            models=["otp_totp.TOTPDevice", "otp_static.StaticDevice"],
            position=1,
        )
        from django.contrib.auth.signals import user_logged_in

        from .sessions import session_seen_at_login

        user_logged_in.connect(session_seen_at_login, dispatch_uid="people-session-seen-at-login")
        from .invitations import invitations_close_on_login

        user_logged_in.connect(invitations_close_on_login, dispatch_uid="people-invitations-close-on-login")
