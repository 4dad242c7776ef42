"""Helpers for data migrations that give role groups their permissions.

Django creates permissions only after all migrations have run, so a migration
that wants to attach them to a group has to create them first.
"""

from django.contrib.auth.management import create_permissions


def ensure_permissions(apps) -> None:
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None


def grant_permissions(apps, *, role_permissions: dict[str, list[str]], app_label: str) -> None:
    """Give each named group the listed permission codenames of ``app_label``."""
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in role_permissions.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        permissions = list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
        missing = set(codenames) - {permission.codename for permission in permissions}
        if missing:
            raise RuntimeError(f"Permissions not found in {app_label}: {', '.join(sorted(missing))}")
        group.permissions.add(*permissions)
