"""The provider-group → role rule, kept free of models so settings can check it at start-up."""

from .roles import Role


def role_groups_from_setting(raw: str) -> dict[str, Role]:
    """Parse IDENTITY_ROLE_GROUPS ("Comms admin=comms;HR=hr,people-ops") into {provider group: role}."""
    mapping: dict[str, Role] = {}
    for part in filter(None, (piece.strip() for piece in raw.split(";"))):
        role_name, sep, groups = part.partition("=")
        try:
            role = Role(role_name.strip())
        except ValueError as error:
            known = ", ".join(role.value for role in Role)
            unknown = role_name.strip()
            raise ValueError(f"IDENTITY_ROLE_GROUPS names an unknown role {unknown!r} (known: {known}).") from error
        if not sep or not groups.strip():
            raise ValueError(f"IDENTITY_ROLE_GROUPS entry {part!r} needs 'Role=group[,group…]'.")
        for group in filter(None, (name.strip() for name in groups.split(","))):
            mapping[group.casefold()] = role
    return mapping
