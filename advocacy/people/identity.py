"""One mapping from what an identity provider says about a person to our people, teams and roles.

Single sign-on (OIDC claims, SAML attributes), SCIM provisioning and spreadsheet imports all
turn their input into `PersonAttributes` and call `person_sync`, so a team, a role or a
deactivation means the same thing whichever way it arrived.

The rules, from settings (README, "Identity"):
- IDENTITY_EMAIL_CLAIM / IDENTITY_NAME_CLAIM / IDENTITY_TEAM_CLAIM / IDENTITY_GROUPS_CLAIM name
  the claims (or SAML attributes) holding email, display name, team and groups.
- IDENTITY_ROLE_GROUPS maps provider groups to roles ("Comms admin=comms-team;HR=hr,people-ops").
  Everyone synced is an Employee; a group listed there adds its role. Roles the mapping does not
  mention are left alone only when IDENTITY_ROLES_FROM_PROVIDER is off.
- A source that names roles itself (a spreadsheet's roles column) passes `roles`; one that says
  nothing about them for this person passes `keep_roles=True` (new people are Employees).
- Every role change and (de)activation made here is in the audit log with the source (and the
  `actor`, when a person started it, e.g. HR running an import).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from .identity_rules import role_groups_from_setting
from .models import ExternalIdentity, User
from .roles import Role
from .selectors import user_roles
from .services import team_get_or_create, user_create, user_deactivate, user_reactivate, user_set_roles


class IdentityRefused(Exception):
    """The provider's answer cannot become a person; `str()` is the sentence shown to them."""


@dataclass(frozen=True)
class PersonAttributes:
    source: str
    subject: str
    email: str
    display_name: str = ""
    team_name: str = ""
    groups: tuple[str, ...] = field(default_factory=tuple)
    # None: the source says nothing about it (an SSO login that succeeded means active).
    active: bool | None = None
    # Roles the source states outright (Employee is always added); None: derive them from groups.
    roles: tuple[Role, ...] | None = None
    # The source says nothing about roles: an existing person's roles stay as they are.
    keep_roles: bool = False


@dataclass(frozen=True)
class SyncResult:
    user: User
    created: bool
    changed: tuple[str, ...]  # field names, plus "roles" and "active", that this sync changed


def roles_for_groups(groups: Iterable[str]) -> list[Role]:
    mapping = role_groups_from_setting(settings.IDENTITY_ROLE_GROUPS)
    roles = {Role.EMPLOYEE} | {mapping[name.casefold()] for name in groups if name.casefold() in mapping}
    return sorted(roles, key=list(Role).index)


def _claim_values(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(item) for item in value if item not in (None, ""))


def attributes_from_claims(*, source: str, subject: str, claims: Mapping) -> PersonAttributes:
    """OIDC claims or SAML attributes (multi-valued lists are fine) → PersonAttributes."""
    first = lambda name: next(iter(_claim_values(claims.get(name))), "").strip()  # noqa: E731
    email = first(settings.IDENTITY_EMAIL_CLAIM)
    if not email or "@" not in email:
        raise IdentityRefused(
            f"Your identity provider did not send an email address (claim '{settings.IDENTITY_EMAIL_CLAIM}'). "
            "Ask your IT team to release it to this application."
        )
    return PersonAttributes(
        source=source,
        subject=subject,
        email=email,
        display_name=first(settings.IDENTITY_NAME_CLAIM),
        team_name=first(settings.IDENTITY_TEAM_CLAIM),
        groups=_claim_values(claims.get(settings.IDENTITY_GROUPS_CLAIM)),
    )


def _username_for(email: str) -> str:
    base = slugify(email.split("@", 1)[0])[:140] or "person"
    candidate, number = base, 1
    while User.objects.filter(username=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _wanted_roles(attributes: PersonAttributes) -> list[Role]:
    if attributes.roles is not None:
        roles = {Role.EMPLOYEE} | {Role(role) for role in attributes.roles}
        return sorted(roles, key=list(Role).index)
    return roles_for_groups(attributes.groups)


@transaction.atomic
def person_sync(*, attributes: PersonAttributes, create: bool = True, actor: User | None = None) -> User:
    """Create or update the person the provider describes; returns them (see person_sync_result)."""
    return person_sync_result(attributes=attributes, create=create, actor=actor).user


@transaction.atomic
def person_sync_result(*, attributes: PersonAttributes, create: bool = True, actor: User | None = None) -> SyncResult:
    """Create or update the person the provider describes; says whether and what it changed.

    Found by (source, subject) first, then by email (linking an existing local account once).
    The provider owns email, display name, team and (when IDENTITY_ROLES_FROM_PROVIDER) roles;
    everything else on the profile is the person's own. `active=False` goes through
    `user_deactivate`, the one way an account is switched off.
    """
    identity = (
        ExternalIdentity.objects.select_related("user")
        .select_for_update()
        .filter(source=attributes.source, subject=attributes.subject)
        .first()
    )
    user = identity.user if identity else User.objects.filter(email__iexact=attributes.email).first()
    team = team_get_or_create(name=attributes.team_name) if attributes.team_name else None
    roles = _wanted_roles(attributes)
    audit = {"actor": actor, "source": attributes.source}
    # As user_create stores it (domain lowercased), so the next sync does not see a change.
    email = User.objects.normalize_email(attributes.email.strip())
    changed: list[str] = []
    created = user is None
    if user is None:
        if not create:
            raise IdentityRefused("There is no account for you here yet. Ask your HR team to invite you.")
        user = user_create(
            username=_username_for(attributes.email),
            email=email,
            password=None,
            display_name=attributes.display_name,
            team=team,
            roles=roles,
            **audit,
        )
    else:
        for name, value in (("email", email), ("display_name", attributes.display_name)):
            if value and getattr(user, name) != value:
                setattr(user, name, value)
                changed.append(name)
        if team is not None and user.team_id != team.pk:
            user.team = team
            changed.append("team")
        if changed:
            user.save(update_fields=changed)
        roles_owned = attributes.roles is not None or settings.IDENTITY_ROLES_FROM_PROVIDER
        if (
            roles_owned
            and not attributes.keep_roles
            and sorted(user_roles(user=user)) != sorted(r.value for r in roles)
        ):
            user_set_roles(user=user, roles=roles, **audit)
            changed.append("roles")
    if attributes.active is True and not user.is_active:
        user_reactivate(user=user, **audit)
        changed.append("active")
    elif attributes.active is None and not user.is_active:
        raise IdentityRefused(
            "Your account here has been deactivated. Ask your HR team if you think this is a mistake."
        )
    if identity is None:
        ExternalIdentity.objects.create(user=user, source=attributes.source, subject=attributes.subject)
    else:
        identity.save(update_fields=["last_synced_at"])
    if attributes.active is False and user.is_active:
        user_deactivate(user=user, **audit)
        changed.append("active")
    return SyncResult(user=user, created=created, changed=tuple(changed))
