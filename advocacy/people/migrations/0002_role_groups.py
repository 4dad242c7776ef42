"""Create the three role groups with their area permissions."""

from django.db import migrations

from advocacy.people.migration_helpers import grant_permissions

ROLE_PERMISSIONS = {
    "Employee": ["access_employee_area"],
    "Comms admin": ["access_employee_area", "access_comms_workspace"],
    "HR": ["access_employee_area", "access_hr_workspace"],
}


def create_role_groups(apps, schema_editor):
    grant_permissions(apps, role_permissions=ROLE_PERMISSIONS, app_label="people")


def remove_role_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]
