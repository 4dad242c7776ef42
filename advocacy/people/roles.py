"""The three roles of the platform and what each may reach.

Roles are Django groups (created by a migration) carrying permissions; views
check permissions, never group names, so an operator can grant a single
capability to someone without giving them a whole role.
"""

from enum import StrEnum


class Role(StrEnum):
    EMPLOYEE = "Employee"
    COMMS_ADMIN = "Comms admin"
    HR = "HR"


# Permission codenames (app label "people") that stand for whole areas of the product.
EMPLOYEE_AREA = "people.access_employee_area"
COMMS_WORKSPACE = "people.access_comms_workspace"
HR_WORKSPACE = "people.access_hr_workspace"

# The one list of what each role may do ("app_label.codename"). Apps that add
# permissions add them here; groups are brought in line after every migrate.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.EMPLOYEE: [EMPLOYEE_AREA],
    Role.COMMS_ADMIN: [EMPLOYEE_AREA, COMMS_WORKSPACE],
    Role.HR: [EMPLOYEE_AREA, HR_WORKSPACE],
}


def roles_from_setting(name: str, values: list[str]) -> list[Role]:
    """Role names from a setting (e.g. MFA_REQUIRED_ROLES), refusing any name that is not a role."""
    roles = []
    for value in values:
        try:
            roles.append(Role(value))
        except ValueError:
            known = ", ".join(role.value for role in Role)
            raise ValueError(f"{name} names an unknown role {value!r} (known: {known}).") from None
    return roles
