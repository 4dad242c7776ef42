"""Writes for SCIM: tokens, and provisioned users and groups, all through advocacy.people.identity.

A SCIM User becomes `PersonAttributes(source="scim", subject=<our SCIM id>)` and goes through
`person_sync`, so email, display name, team, roles and (de)activation mean what they mean for
single sign-on and imports. Groups map by one rule (README, "SCIM provisioning"): a group whose
displayName IDENTITY_ROLE_GROUPS lists gives its members that role; any other group is a team
when SCIM_GROUPS_AS_TEAMS is on, but the enterprise `department` attribute wins when a person has one.
"""

import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scim import exceptions

from advocacy.people.identity import IdentityRefused, PersonAttributes, person_sync
from advocacy.people.identity_rules import role_groups_from_setting
from advocacy.people.models import ExternalIdentity, User

from .models import ScimDeactivation, ScimGroup, ScimMembership, ScimToken, ScimUser
from .patch import _key, apply_operations
from .schemas import ENTERPRISE_USER

SOURCE = "scim"
TOKEN_PREFIX = "scim_"  # noqa: S105 (a marker, not a secret)
# last_used_at is written at most this often per token, so a busy sync is not a write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_digest(raw: str) -> str:
    # The token is 256 random bits, so a fast hash is enough: nobody can guess their way back.
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, name: str, actor: User) -> tuple[ScimToken, str]:
    """A new bearer token; returns it with the raw token, which is shown once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the token a name, such as the identity provider that will use it."))
    if len(name) > 100:
        raise ValidationError(_("Keep the name to 100 characters."))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ScimToken.objects.create(name=name, prefix=raw[:12], digest=token_digest(raw), created_by=actor)
    return token, raw


@transaction.atomic
def token_revoke(*, token: ScimToken, actor: User) -> ScimToken:
    """Stop a token working at once; revoking twice changes nothing."""
    ScimToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_by=actor)
    token.refresh_from_db()
    return token


def token_authenticate(*, raw: str) -> ScimToken | None:
    """The live token with this value, its last use recorded; None for an unknown or revoked one."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = ScimToken.objects.filter(digest=token_digest(raw), revoked_at__isnull=True).first()
    if token is None or not secrets.compare_digest(token.digest, token_digest(raw)):
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def _bad(detail: str, scim_type: str = "invalidValue"):
    return exceptions.BadRequestError(detail, scim_type=scim_type)


def _conflict(detail: str):
    return exceptions.IntegrityError(detail, scim_type="uniqueness")


def _text(value, what: str, *, limit: int = 255) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _bad(f"{what} must be a string.")
    value = value.strip()
    if len(value) > limit:
        raise _bad(f"{what} is longer than {limit} characters.")
    return value


def _boolean(value, what: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    # Entra ID sends PATCH values such as "False" as strings.
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise _bad(f'"{what}" must be true or false.')


def _clean_user(resource) -> dict:
    """A User resource from a client → what we keep (raises a SCIM 400 naming the problem)."""
    if not isinstance(resource, dict):
        raise _bad("A User must be a JSON object.", "invalidSyntax")

    def get(name):
        return resource.get(_key(resource, name))

    user_name = _text(get("userName"), "userName")
    if not user_name:
        raise _bad("userName is required.")
    data: dict = {}
    name = get("name")
    if name is not None:
        if not isinstance(name, dict):
            raise _bad("name must be an object.")
        cleaned = {
            sub: _text(name.get(_key(name, sub)), f"name.{sub}") for sub in ("formatted", "familyName", "givenName")
        }
        if any(cleaned.values()):
            data["name"] = {sub: value for sub, value in cleaned.items() if value}
    display_name = _text(get("displayName"), "displayName", limit=100)
    if display_name:
        data["displayName"] = display_name
    emails = get("emails")
    if isinstance(emails, dict):  # OneLogin sends one object
        emails = [emails]
    if emails is not None and not isinstance(emails, list):
        raise _bad("emails must be a list.")
    kept_emails = []
    for item in emails or []:
        if not isinstance(item, dict):
            raise _bad("Each of emails must be an object with a value.")
        value = _text(item.get(_key(item, "value")), "emails.value", limit=254)
        if not value:
            continue
        try:
            validate_email(value)
        except ValidationError:
            raise _bad(f"{value!r} is not an email address.") from None
        email = {"value": value}
        kind = _text(item.get(_key(item, "type")), "emails.type", limit=50)
        if kind:
            email["type"] = kind
        primary = _boolean(item.get(_key(item, "primary")), "emails.primary")
        if primary is not None:
            email["primary"] = primary
        kept_emails.append(email)
    if sum(1 for email in kept_emails if email.get("primary")) > 1:
        raise _bad("Only one of emails may be primary.")
    if kept_emails:
        data["emails"] = kept_emails
    extension = get(ENTERPRISE_USER)
    if extension is not None:
        if not isinstance(extension, dict):
            raise _bad(f"{ENTERPRISE_USER} must be an object.")
        department = _text(extension.get(_key(extension, "department")), "department", limit=100)
        if department:
            data[ENTERPRISE_USER] = {"department": department}
    email = next((e["value"] for e in kept_emails if e.get("primary")), kept_emails[0]["value"] if kept_emails else "")
    if not email:
        try:
            validate_email(user_name)
            email = user_name
        except ValidationError:
            raise _bad("A person needs an email address: send emails[].value (or a userName that is one).") from None
    return {
        "user_name": user_name,
        "external_id": _text(get("externalId"), "externalId"),
        "active": _boolean(get("active"), "active"),
        "email": email,
        "data": data,
    }


def _display_name(data: dict) -> str:
    if data.get("displayName"):
        return data["displayName"]
    name = data.get("name") or {}
    return (name.get("formatted") or " ".join(filter(None, (name.get("givenName"), name.get("familyName"))))).strip()[
        :100
    ]


def _team_name(*, data: dict, group_names: tuple[str, ...]) -> str:
    department = (data.get(ENTERPRISE_USER) or {}).get("department", "")
    if department or not settings.SCIM_GROUPS_AS_TEAMS:
        return department
    role_groups = role_groups_from_setting(settings.IDENTITY_ROLE_GROUPS)
    teams = [name for name in group_names if name.casefold() not in role_groups]
    return teams[-1][:100] if teams else ""  # the team group they joined last


def _group_names(scim_user: ScimUser) -> tuple[str, ...]:
    if scim_user._state.adding:
        return ()
    memberships = ScimMembership.objects.filter(member=scim_user).order_by("added_at", "id")
    return tuple(memberships.values_list("group__display_name", flat=True))


def _sync(*, scim_user: ScimUser, email: str, active: bool, token: ScimToken | None, how: str = "") -> User:
    """Hand the person to the identity mapping; note it when SCIM switches them off."""
    was_active = scim_user.user.is_active if scim_user.user_id else None
    groups = _group_names(scim_user)
    attributes = PersonAttributes(
        source=SOURCE,
        subject=str(scim_user.id),
        email=email,
        display_name=_display_name(scim_user.data),
        team_name=_team_name(data=scim_user.data, group_names=groups),
        groups=groups,
        active=active,
    )
    try:
        user = person_sync(attributes=attributes)
    except (IdentityRefused, ValidationError) as error:
        message = error.messages if isinstance(error, ValidationError) else [str(error)]
        raise _bad(" ".join(message)) from None
    if not active and was_active is not False:
        ScimDeactivation.objects.create(
            user=user, how=how or ScimDeactivation.How.ACTIVE_FALSE, token_name=token.name if token else ""
        )
    return user


def _check_unique(*, cleaned: dict, scim_user: ScimUser | None) -> None:
    others = ScimUser.objects.exclude(pk=scim_user.pk) if scim_user else ScimUser.objects.all()
    if others.filter(user_name_key=cleaned["user_name"].casefold()).exists():
        raise _conflict(f"userName {cleaned['user_name']!r} is already taken.")
    if others.filter(user__email__iexact=cleaned["email"]).exists():
        raise _conflict(f"Another provisioned person already has the email {cleaned['email']!r}.")
    if scim_user is not None and (
        User.objects.filter(email__iexact=cleaned["email"]).exclude(pk=scim_user.user_id).exists()
    ):
        raise _conflict(f"Another account already has the email {cleaned['email']!r}.")


@transaction.atomic
def scim_user_create(*, resource: dict, token: ScimToken | None) -> ScimUser:
    """POST /Users: a new person, or an existing account with that email linked to SCIM for good."""
    cleaned = _clean_user(resource)
    _check_unique(cleaned=cleaned, scim_user=None)
    scim_user = ScimUser(
        id=uuid.uuid4(),
        user_name=cleaned["user_name"],
        user_name_key=cleaned["user_name"].casefold(),
        external_id=cleaned["external_id"],
        data=cleaned["data"],
    )
    active = True if cleaned["active"] is None else cleaned["active"]
    scim_user.user = _sync(scim_user=scim_user, email=cleaned["email"], active=active, token=token)
    scim_user.save()
    return scim_user


@transaction.atomic
def scim_user_replace(*, scim_user: ScimUser, resource: dict, token: ScimToken | None) -> ScimUser:
    """PUT /Users/<id>: the resource as sent replaces what we kept (an `active` left out keeps its value)."""
    scim_user = ScimUser.objects.select_for_update().select_related("user").get(pk=scim_user.pk)
    cleaned = _clean_user(resource)
    _check_unique(cleaned=cleaned, scim_user=scim_user)
    scim_user.user_name = cleaned["user_name"]
    scim_user.user_name_key = cleaned["user_name"].casefold()
    scim_user.external_id = cleaned["external_id"]
    scim_user.data = cleaned["data"]
    active = scim_user.user.is_active if cleaned["active"] is None else cleaned["active"]
    _sync(scim_user=scim_user, email=cleaned["email"], active=active, token=token)
    scim_user.save()
    scim_user.user.refresh_from_db()
    return scim_user


def user_editable(*, scim_user: ScimUser) -> dict:
    """The writable part of a User resource as a client sees it (what PATCH operations act on)."""
    return {
        "userName": scim_user.user_name,
        "externalId": scim_user.external_id,
        "active": scim_user.user.is_active,
        **scim_user.data,
    }


@transaction.atomic
def scim_user_patch(*, scim_user: ScimUser, operations, token: ScimToken | None) -> ScimUser:
    """PATCH /Users/<id>: the operations applied to the resource, then stored as a PUT would be."""
    resource = apply_operations(user_editable(scim_user=scim_user), operations)
    if resource.get(_key(resource, "active"), None) is None:
        resource[_key(resource, "active")] = scim_user.user.is_active
    return scim_user_replace(scim_user=scim_user, resource=resource, token=token)


@transaction.atomic
def scim_user_delete(*, scim_user: ScimUser, token: ScimToken | None) -> None:
    """DELETE /Users/<id>: the person is deactivated (history kept) and the SCIM record goes.

    If the provider creates them again later, the new record links to the same account by email
    and reactivates it.
    """
    scim_user = ScimUser.objects.select_for_update().select_related("user").get(pk=scim_user.pk)
    email = scim_user.user.email
    _sync(scim_user=scim_user, email=email, active=False, token=token, how=ScimDeactivation.How.DELETE)
    ExternalIdentity.objects.filter(source=SOURCE, subject=str(scim_user.id)).delete()
    scim_user.delete()


def _resync(scim_users, *, token: ScimToken | None) -> None:
    for scim_user in ScimUser.objects.filter(pk__in=[u.pk for u in scim_users]).select_related("user"):
        _sync(scim_user=scim_user, email=scim_user.user.email, active=scim_user.user.is_active, token=token)


def _clean_group(resource) -> dict:
    if not isinstance(resource, dict):
        raise _bad("A Group must be a JSON object.", "invalidSyntax")

    def get(name):
        return resource.get(_key(resource, name))

    display_name = _text(get("displayName"), "displayName")
    if not display_name:
        raise _bad("displayName is required.")
    members = get("members") or []
    if not isinstance(members, list):
        raise _bad("members must be a list.")
    ids = []
    for member in members:
        value = member.get(_key(member, "value")) if isinstance(member, dict) else None
        try:
            ids.append(uuid.UUID(str(value)))
        except ValueError:
            raise _bad(f"members value {value!r} is not the id of a User here.") from None
    found = {u.pk: u for u in ScimUser.objects.filter(pk__in=ids)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise _bad(f"No such User: {', '.join(missing)}.")
    return {
        "display_name": display_name,
        "external_id": _text(get("externalId"), "externalId"),
        "members": list(dict.fromkeys(found[i] for i in ids)),
    }


def _set_members(group: ScimGroup, members: list[ScimUser]) -> set[ScimUser]:
    """Make `members` the group's members (keeping when the others joined); returns everyone affected."""
    current = {m.member_id: m for m in ScimMembership.objects.filter(group=group)}
    wanted = {member.pk for member in members}
    gone = [pk for pk in current if pk not in wanted]
    ScimMembership.objects.filter(group=group, member_id__in=gone).delete()
    for member in members:
        if member.pk not in current:
            ScimMembership.objects.create(group=group, member=member)
    return set(ScimUser.objects.filter(pk__in=set(gone) | (wanted - set(current))))


@transaction.atomic
def scim_group_create(*, resource: dict, token: ScimToken | None) -> ScimGroup:
    cleaned = _clean_group(resource)
    group = ScimGroup.objects.create(display_name=cleaned["display_name"], external_id=cleaned["external_id"])
    _resync(_set_members(group, cleaned["members"]), token=token)
    return group


@transaction.atomic
def scim_group_replace(*, group: ScimGroup, resource: dict, token: ScimToken | None) -> ScimGroup:
    group = ScimGroup.objects.select_for_update().get(pk=group.pk)
    cleaned = _clean_group(resource)
    renamed = group.display_name != cleaned["display_name"]
    group.display_name = cleaned["display_name"]
    group.external_id = cleaned["external_id"]
    group.save()
    affected = _set_members(group, cleaned["members"])
    if renamed:  # a renamed group may give another role or team to everyone in it
        affected |= set(group.members.all())
    _resync(affected, token=token)
    return group


def group_editable(*, group: ScimGroup) -> dict:
    return {
        "displayName": group.display_name,
        "externalId": group.external_id,
        "members": [
            {"value": str(pk)} for pk in group.members.order_by("scimmembership__added_at").values_list("pk", flat=True)
        ],
    }


@transaction.atomic
def scim_group_patch(*, group: ScimGroup, operations, token: ScimToken | None) -> ScimGroup:
    resource = apply_operations(group_editable(group=group), operations)
    return scim_group_replace(group=group, resource=resource, token=token)


@transaction.atomic
def scim_group_delete(*, group: ScimGroup, token: ScimToken | None) -> None:
    members = set(group.members.all())
    group.delete()
    _resync(members, token=token)
