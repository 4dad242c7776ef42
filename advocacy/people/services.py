"""Writes for people, teams and roles. Every caller (views, API, admin, commands) comes here."""

import logging

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F
from django.utils.text import slugify

from . import deactivations, personal_data
from .audit import audit_record
from .models import AuditEntry, Team, User
from .roles import ROLE_PERMISSIONS, Role

logger = logging.getLogger(__name__)


@transaction.atomic
def team_get_or_create(*, name: str, kind: str = Team.Kind.DEPARTMENT) -> Team:
    team, _ = Team.objects.get_or_create(slug=slugify(name), defaults={"name": name, "kind": kind})
    return team


@transaction.atomic
def role_groups_sync() -> None:
    """Make each role group hold exactly the permissions ROLE_PERMISSIONS lists for it."""
    from django.contrib.auth.models import Permission

    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = []
        for name in names:
            app_label, codename = name.split(".", 1)
            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    password: str | None,
    display_name: str = "",
    first_name: str = "",
    last_name: str = "",
    team: Team | None = None,
    roles: list[Role] | tuple[Role, ...] = (Role.EMPLOYEE,),
    actor: User | None = None,
    source: str = "",
) -> User:
    """Create a person with the given roles; a None password means they must reset it by email.

    The first roles are an audit entry like any later change (`actor`/`source` say who and how).
    """
    user = User(
        username=username,
        email=email,
        display_name=display_name,
        first_name=first_name,
        last_name=last_name,
        team=team,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user_set_roles(user=user, roles=roles, actor=actor, source=source)
    return user


def _role_names(roles) -> list[str]:
    order = [role.value for role in Role]
    names = {Role(role).value for role in roles}
    return sorted(names, key=lambda name: order.index(name))


@transaction.atomic
def user_set_roles(
    *,
    user: User,
    roles: list[Role] | tuple[Role, ...],
    actor: User | None = None,
    source: str = "",
    reason: str = "",
) -> bool:
    """Give the person exactly these roles; returns whether anything changed.

    Every change is in the audit log (who: `actor`, or the `source` when a provider or the
    system made it); setting the roles someone already has changes and records nothing.
    """
    wanted = _role_names(roles)
    groups = list(Group.objects.filter(name__in=wanted))
    missing = set(wanted) - {group.name for group in groups}
    if missing:
        raise ValueError(f"Unknown role groups (run migrations?): {', '.join(sorted(missing))}")
    held = list(user.groups.values_list("name", flat=True))
    before = _role_names(name for name in held if name in {role.value for role in Role})
    if before == wanted and len(held) == len(wanted):
        return False
    user.groups.set(groups)
    audit_record(
        person=user,
        action=AuditEntry.Action.ROLES,
        actor=actor,
        source=source,
        before=before,
        after=wanted,
        reason=reason,
    )
    return True


@transaction.atomic
def user_deactivate(*, user: User, actor: User | None = None, source: str = "", reason: str = "") -> User:
    """Deactivated people cannot log in; every session of theirs ends for good (reactivating the
    account does not revive them); their history stays for the numbers it explains.

    The one way an account is switched off: HR in the directory or the admin, erasure, SCIM
    and SSO all come here, and the switch is in the audit log. The rankings leave them out
    (leaderboard.standings.unranked_users_q): the leaderboard listens (people.deactivations) and re-flags their
    standings after the commit.
    """
    was_active = User.objects.filter(pk=user.pk, is_active=True).update(is_active=False) == 1
    user.is_active = False
    sessions_end_for(user=user)
    if was_active:
        audit_record(
            person=user,
            action=AuditEntry.Action.DEACTIVATED,
            actor=actor,
            source=source,
            before=["active"],
            after=["deactivated"],
            reason=reason,
        )
    deactivations.account_switched(user_id=user.pk)
    return user


@transaction.atomic
def user_reactivate(*, user: User, actor: User | None = None, source: str = "", reason: str = "") -> User:
    """Let a deactivated person in again (HR, SCIM `active=true`, the identity mapping); old sessions stay dead."""
    was_inactive = User.objects.filter(pk=user.pk, is_active=False).update(is_active=True) == 1
    user.is_active = True
    if was_inactive:
        audit_record(
            person=user,
            action=AuditEntry.Action.REACTIVATED,
            actor=actor,
            source=source,
            before=["deactivated"],
            after=["active"],
            reason=reason,
        )
    deactivations.account_switched(user_id=user.pk)
    return user


@transaction.atomic
def user_set_manager(*, user: User, manager: User | None) -> bool:
    """Record who this person reports to (imports and providers); refuses a person managing themselves."""
    if manager is not None and manager.pk == user.pk:
        raise ValueError("A person cannot be their own manager.")
    manager_id = manager.pk if manager is not None else None
    if user.manager_id == manager_id:
        return False
    user.manager = manager
    user.save(update_fields=["manager"])
    return True


@transaction.atomic
def sessions_end_for(*, user: User) -> None:
    """End every session of this person: the epoch is mixed into the session hash, so old cookies never work again."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])


PROFILE_FIELDS = (
    "display_name",
    "team",
    "avatar",
    "job_title",
    "linkedin_profile_url",
    "x_handle",
    "mastodon_handle",
    "bluesky_handle",
    "digest_frequency",
    "notify_suggestion_updates",
    "notify_policy_updates",
    "hide_from_leaderboards",
)


HANDLE_FIELDS = ("x_handle", "mastodon_handle", "bluesky_handle", "linkedin_profile_url")


@transaction.atomic
def profile_update(*, user: User, **changes) -> User:
    """Update the profile fields a person may change themselves; anything else is refused."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not a profile field: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        if field in HANDLE_FIELDS and value:
            value = value.strip()  # the model's validators then check each network's grammar
        setattr(user, field, value)
    user.full_clean(exclude=["password", "username", "email"])
    user.save()
    return user


ERASED_DISPLAY_NAME = "Former employee"


class ErasureRefused(Exception):
    """The erasure was not carried out (the message says why)."""


@transaction.atomic
def person_erase(*, user: User, actor: User) -> User:
    """Anonymise a person for good (HR, on request): identity gone, history kept as numbers.

    Name, email, social handles, avatar, job title and login are wiped and the
    account is deactivated (user_deactivate), which ends every session. Then each app's
    registered erase step runs (personal_data): the leaderboard's queues the rebuild that
    takes them off every board. Shares, clicks and points stay (the
    totals other people and teams see must still add up), now tied to a nameless
    account; finished draws stay verifiable because their published lists only
    ever held pseudonymous entrant ids.
    """
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    if user.pk == actor.pk:
        raise ErasureRefused("You cannot erase your own account; ask another HR person.")
    old_username = user.username
    if user.avatar:
        user.avatar.delete(save=False)
    user.username = f"erased-{user.pk}"
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.display_name = ERASED_DISPLAY_NAME
    user.job_title = ""
    user.linkedin_profile_url = ""
    user.x_handle = ""
    user.mastodon_handle = ""
    user.bluesky_handle = ""
    user.avatar = ""
    user.hide_from_leaderboards = True
    user.notify_suggestion_updates = False
    user.notify_policy_updates = False
    user.digest_frequency = User.DigestFrequency.NEVER
    user.set_unusable_password()
    user.save()
    user_deactivate(user=user, actor=actor, source="erasure")
    user_set_roles(user=user, roles=[], actor=actor, source="erasure")
    audit_record(person=user, action=AuditEntry.Action.ERASED, actor=actor, source="erasure")
    # The login lockout keys rows on the username typed; those would still name them.
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username=old_username).delete()
    # Each app's own rows (the leaderboard queues the rebuild that takes them off the boards).
    for section in personal_data.sections():
        section.erase(user=user)
    logger.info("person erased", extra={"user_id": user.pk, "actor_id": actor.pk})
    return user
