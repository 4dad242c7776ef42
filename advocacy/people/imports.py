"""HR's spreadsheet import: validate every row first, then apply in resumable batches.

1. `import_preview_create` reads the whole file (import_files), checks every row against the
   directory and stores the rows with their errors and what each would do. Nothing about any
   person changes. A file with any error cannot be started: HR fixes it and uploads again
   (or, for unknown teams only, ticks "create these teams").
2. `import_start` queues the Celery task. Its first run checks every row again against the
   directory as it is now (someone may have been deactivated meanwhile); any error stops it
   before anything is applied.
3. Each run of `import_apply_next_batch` applies the next PEOPLE_IMPORT_BATCH_SIZE pending
   rows in one transaction (people, the rows' outcomes and the counters together), under a
   lock on the import, and queues the next run. A killed worker loses at most its own
   uncommitted batch; the redelivered task resumes at the first pending row. Managers are set
   in the last run, once everybody exists.

People are created and updated by the identity mapping (`person_sync_result`, source
"import", subject = the lowercased email), so an imported person later signing in with SSO
or arriving through SCIM is the same person. Re-importing the same file changes nothing:
every row comes out "no change".
"""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from .identity import IdentityRefused, PersonAttributes, person_sync_result
from .import_files import ImportFileError, read_people_file
from .models import ExternalIdentity, PeopleImport, PeopleImportRow, Team, User
from .roles import Role
from .services import user_set_manager

__all__ = ["ImportFileError", "import_preview_create", "import_start", "import_apply_next_batch"]

SOURCE = "import"
_ROLE_SPLIT = re.compile(r"[;,|]")
_ROLES_BY_NAME = {role.value.casefold(): role for role in Role} | {"comms": Role.COMMS_ADMIN}


class ImportRefused(Exception):
    """The import cannot be started or changed in its current state (the message says why)."""


def _roles_from_cell(cell: str) -> tuple[list[str] | None, list[str]]:
    """(role names, or None for an empty cell; unknown names)."""
    names = [name.strip() for name in _ROLE_SPLIT.split(cell) if name.strip()]
    if not names:
        return None, []
    unknown = [name for name in names if name.casefold() not in _ROLES_BY_NAME]
    roles = sorted({_ROLES_BY_NAME[name.casefold()].value for name in names if name.casefold() in _ROLES_BY_NAME})
    return roles, unknown


def _directory_for(emails: set[str]) -> dict[str, User]:
    """Existing people by lowercased email: the import's own identity first, then the account's email."""
    found = {
        user.email_lower: user
        for user in User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .prefetch_related("groups")
    }
    linked = ExternalIdentity.objects.filter(source=SOURCE, subject__in=emails).select_related("user")
    for identity in linked.prefetch_related("user__groups"):
        found[identity.subject] = identity.user
    return found


def _validate(rows: list[PeopleImportRow], *, create_teams: bool) -> None:
    """Fill each row's `errors` and `planned` from the directory as it is now (a fixed number of queries)."""
    emails = {row.email.casefold() for row in rows if row.email} | {
        row.manager_email.casefold() for row in rows if row.manager_email
    }
    people = _directory_for(emails)
    teams = {team.slug: team for team in Team.objects.all()}
    in_file: dict[str, int] = {}
    file_emails = {row.email.casefold() for row in rows if row.email}
    role_list = ", ".join(role.value for role in Role)
    for row in rows:
        errors = []
        email = row.email.casefold()
        if not row.email:
            errors.append(_("The email is missing."))
        else:
            try:
                validate_email(row.email)
            except ValidationError:
                errors.append(_("“%(email)s” is not an email address.") % {"email": row.email})
            else:
                if email in in_file:
                    errors.append(
                        _("The same email as line %(line)s: each person may appear once.") % {"line": in_file[email]}
                    )
                else:
                    in_file[email] = row.line
        existing = people.get(email)
        if existing is None and not row.display_name:
            errors.append(_("The name is missing (needed for someone new)."))
        if len(row.display_name) > 100:
            errors.append(_("The name is longer than 100 characters."))
        if existing is not None and not existing.is_active:
            errors.append(
                _("%(name)s is deactivated here: reactivate them in the directory or remove the row.")
                % {"name": existing.name}
            )
        team = None
        if row.team_name:
            slug = slugify(row.team_name)
            team = teams.get(slug)
            if len(row.team_name) > 100:
                errors.append(_("The team name is longer than 100 characters."))
            elif not slug:
                errors.append(
                    _("“%(team_name)s” cannot be a team name (it needs letters or digits).")
                    % {"team_name": row.team_name}
                )
            elif team is None and not create_teams:
                errors.append(
                    _(
                        "There is no team “%(team_name)s” yet: create it with the "
                        "button above the rows, or correct the name."
                    )
                    % {"team_name": row.team_name}
                )
        if isinstance(row.roles, dict):  # unknown role names, kept from reading the cell
            errors.append(
                _("Unknown role “%(roles)s” (known roles: %(role_list)s).")
                % {"roles": "”, “".join(row.roles["unknown"]), "role_list": role_list}
            )
        if row.manager_email:
            manager = row.manager_email.casefold()
            if manager == email:
                errors.append(_("A person cannot be their own manager."))
            elif manager not in file_emails and manager not in people:
                errors.append(
                    _("The manager %(manager_email)s is neither in this file nor in the directory.")
                    % {"manager_email": row.manager_email}
                )
        row.errors = errors
        row.planned = _planned(row, existing, team)


def _planned(row: PeopleImportRow, existing: User | None, team: Team | None) -> str:
    if existing is None:
        return "create"
    if row.display_name and row.display_name != existing.display_name:
        return "update"
    if row.email != existing.email or (row.team_name and (team is None or existing.team_id != team.pk)):
        return "update"
    if isinstance(row.roles, list):
        wanted = sorted({Role.EMPLOYEE.value, *row.roles})
        if wanted != sorted(group.name for group in existing.groups.all()):
            return "update"
    return "none"


def _row_from(line: int, cells: dict[str, str]) -> PeopleImportRow:
    roles, unknown = _roles_from_cell(cells.get("roles", ""))
    return PeopleImportRow(
        line=line,
        email=User.objects.normalize_email(cells.get("email", ""))[:254],
        display_name=cells.get("name", "")[:200],
        team_name=cells.get("team", "")[:200],
        roles={"unknown": unknown, "known": roles or []} if unknown else roles,
        manager_email=cells.get("manager", "")[:254],
    )


@transaction.atomic
def import_preview_create(*, name: str, data: bytes, actor: User, create_teams: bool = False) -> PeopleImport:
    """Read and check a whole file; store its rows for the preview. Raises ImportFileError for a bad file."""
    cells = read_people_file(name=name, data=data)
    rows = [_row_from(line, values) for line, values in cells]
    _validate(rows, create_teams=create_teams)
    people_import = PeopleImport.objects.create(
        uploaded_by=actor,
        file_name=name[:255],
        file_sha256=hashlib.sha256(data).hexdigest(),
        create_teams=create_teams,
        total_rows=len(rows),
        error_rows=sum(1 for row in rows if row.errors),
    )
    for row in rows:
        row.people_import = people_import
    PeopleImportRow.objects.bulk_create(rows, batch_size=1000)
    return people_import


@transaction.atomic
def import_revalidate(*, people_import: PeopleImport, create_teams: bool) -> PeopleImport:
    """Check the stored rows again (HR chose to create the missing teams, or the directory changed)."""
    locked = PeopleImport.objects.select_for_update().get(pk=people_import.pk)
    if locked.status != PeopleImport.Status.PREVIEW:
        raise ImportRefused(gettext("This import has already started; upload the file again to change it."))
    rows = list(locked.rows.order_by("line"))
    _validate(rows, create_teams=create_teams)
    PeopleImportRow.objects.bulk_update(rows, ["errors", "planned"], batch_size=1000)
    locked.create_teams = create_teams
    locked.error_rows = sum(1 for row in rows if row.errors)
    locked.save(update_fields=["create_teams", "error_rows"])
    return locked


def missing_teams(*, people_import: PeopleImport) -> list[str]:
    """Team names in the file that no team has yet (the preview offers to create them)."""
    known = set(Team.objects.values_list("slug", flat=True))
    names = {}
    for name in people_import.rows.exclude(team_name="").values_list("team_name", flat=True):
        slug = slugify(name)
        if slug and slug not in known:
            names.setdefault(slug, name)
    return sorted(names.values(), key=str.casefold)


@transaction.atomic
def import_start(*, people_import: PeopleImport, actor: User) -> PeopleImport:
    """Queue a fully valid import (refused while any row has an error)."""
    from .tasks import import_apply_batch

    locked = PeopleImport.objects.select_for_update().get(pk=people_import.pk)
    if locked.status != PeopleImport.Status.PREVIEW:
        raise ImportRefused(gettext("This import has already been started or discarded."))
    if locked.error_rows:
        raise ImportRefused(
            f"{locked.error_rows} row{'s' if locked.error_rows != 1 else ''} still "
            f"{'have' if locked.error_rows != 1 else 'has'} errors: fix the file and upload it again."
        )
    locked.status = PeopleImport.Status.QUEUED
    locked.save(update_fields=["status"])
    transaction.on_commit(lambda: import_apply_batch.delay(locked.pk))
    return locked


@transaction.atomic
def import_discard(*, people_import: PeopleImport) -> PeopleImport:
    changed = PeopleImport.objects.filter(pk=people_import.pk, status=PeopleImport.Status.PREVIEW).update(
        status=PeopleImport.Status.DISCARDED, finished_at=timezone.now()
    )
    if not changed:
        raise ImportRefused(gettext("Only an import that has not started can be discarded."))
    people_import.refresh_from_db()
    return people_import


@transaction.atomic
def import_resume(*, people_import: PeopleImport) -> None:
    """Queue the next batch again (a worker died and its message was lost); harmless if one is running."""
    from .tasks import import_apply_batch

    if people_import.status in (PeopleImport.Status.QUEUED, PeopleImport.Status.RUNNING):
        transaction.on_commit(lambda: import_apply_batch.delay(people_import.pk))


def _stop(import_id: int, message: str) -> None:
    PeopleImport.objects.filter(pk=import_id).update(
        status=PeopleImport.Status.FAILED, message=message, finished_at=timezone.now()
    )


class _RowFailed(Exception):
    def __init__(self, row: PeopleImportRow, reason: str):
        super().__init__(f"Line {row.line} ({row.email}): {reason}")


def import_apply_next_batch(*, import_id: int) -> str:
    """Apply the next batch (see the module docstring); returns the import's status afterwards."""
    try:
        status, more = _apply_batch(import_id)
    except _RowFailed as failure:
        _stop(import_id, f"{failure} Rows before this batch were imported; fix the file and import it again.")
        return PeopleImport.Status.FAILED
    if more:
        from .tasks import import_apply_batch

        import_apply_batch.delay(import_id)
    return status


@transaction.atomic
def _apply_batch(import_id: int) -> tuple[str, bool]:
    people_import = PeopleImport.objects.select_for_update().filter(pk=import_id).first()
    if people_import is None:
        return "missing", False
    if people_import.status == PeopleImport.Status.QUEUED:
        rows = list(people_import.rows.order_by("line"))
        _validate(rows, create_teams=people_import.create_teams)
        bad = [row for row in rows if row.errors]
        if bad:
            PeopleImportRow.objects.bulk_update(bad, ["errors"], batch_size=1000)
            people_import.status = PeopleImport.Status.FAILED
            people_import.error_rows = len(bad)
            people_import.message = (
                f"The directory changed since the preview: {len(bad)} row{'s' if len(bad) != 1 else ''} "
                "would now fail. Nothing was imported; upload the file again to see them."
            )
            people_import.finished_at = timezone.now()
            people_import.save(update_fields=["status", "error_rows", "message", "finished_at"])
            return people_import.status, False
        people_import.status = PeopleImport.Status.RUNNING
        people_import.started_at = timezone.now()
        people_import.save(update_fields=["status", "started_at"])
    elif people_import.status != PeopleImport.Status.RUNNING:
        return people_import.status, False
    actor = people_import.uploaded_by
    pending = people_import.rows.filter(outcome=PeopleImportRow.Outcome.PENDING).order_by("line")
    batch = list(pending[: settings.PEOPLE_IMPORT_BATCH_SIZE])
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for row in batch:
        _apply_row(row, actor=actor, counts=counts)
    PeopleImportRow.objects.bulk_update(batch, ["outcome", "user"])
    PeopleImport.objects.filter(pk=import_id).update(
        processed_rows=F("processed_rows") + len(batch),
        created_count=F("created_count") + counts["created"],
        updated_count=F("updated_count") + counts["updated"],
        unchanged_count=F("unchanged_count") + counts["unchanged"],
    )
    if pending.exists():
        return PeopleImport.Status.RUNNING, True
    _apply_managers(people_import)
    PeopleImport.objects.filter(pk=import_id).update(status=PeopleImport.Status.DONE, finished_at=timezone.now())
    return PeopleImport.Status.DONE, False


def _apply_row(row: PeopleImportRow, *, actor: User | None, counts: dict) -> None:
    roles = row.roles if isinstance(row.roles, list) else None
    attributes = PersonAttributes(
        source=SOURCE,
        subject=row.email.casefold(),
        email=row.email,
        display_name=row.display_name,
        team_name=row.team_name,
        roles=tuple(Role(name) for name in roles) if roles is not None else None,
        keep_roles=roles is None,
    )
    try:
        result = person_sync_result(attributes=attributes, actor=actor)
    except (IdentityRefused, ValidationError, ValueError) as error:
        raise _RowFailed(row, str(error)) from error
    row.user = result.user
    if result.created:
        row.outcome = PeopleImportRow.Outcome.CREATED
    elif result.changed:
        row.outcome = PeopleImportRow.Outcome.UPDATED
    else:
        row.outcome = PeopleImportRow.Outcome.UNCHANGED
    counts[row.outcome] += 1


def _apply_managers(people_import: PeopleImport) -> None:
    rows = list(people_import.rows.exclude(manager_email="").exclude(user=None))
    if not rows:
        return
    emails = {row.manager_email.casefold() for row in rows}
    managers = _directory_for(emails)
    users = User.objects.in_bulk([row.user_id for row in rows])
    promoted = []
    for row in rows:
        manager = managers.get(row.manager_email.casefold())
        changed = manager is not None and user_set_manager(user=users[row.user_id], manager=manager)
        if changed and row.outcome == PeopleImportRow.Outcome.UNCHANGED:
            row.outcome = PeopleImportRow.Outcome.UPDATED
            promoted.append(row)
    if promoted:
        PeopleImportRow.objects.bulk_update(promoted, ["outcome"])
        PeopleImport.objects.filter(pk=people_import.pk).update(
            updated_count=F("updated_count") + len(promoted), unchanged_count=F("unchanged_count") - len(promoted)
        )
