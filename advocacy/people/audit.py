"""The audit log of role changes and (de)activations: one writer, two readers.

The services that change roles or switch accounts off and on call `audit_record` themselves,
so every way in (HR's directory, the admin, imports, SCIM, SSO) leaves the same trail.
"""

from django.db.models import QuerySet

from .models import AuditEntry, User

# Where a change came from when the caller does not say (a shell, a test, a data migration).
DEFAULT_SOURCE = "system"


def audit_record(
    *,
    person: User,
    action: str,
    actor: User | None = None,
    source: str = "",
    before=(),
    after=(),
    reason: str = "",
) -> AuditEntry:
    """Append one entry (called inside the change's own transaction, so a rollback drops it too)."""
    if actor is not None and not getattr(actor, "pk", None):
        actor = None  # an anonymous request user, or an unsaved object: nobody we can point at
    return AuditEntry.objects.create(
        person=person,
        actor=actor,
        action=action,
        source=(source or DEFAULT_SOURCE)[:255],
        before=list(before),
        after=list(after),
        reason=(reason or "")[:500],
    )


def audit_recent() -> QuerySet[AuditEntry]:
    """Every entry, newest first, with both people loaded (page it)."""
    return AuditEntry.objects.select_related("person", "actor").order_by("-at", "-pk")


def audit_for_person(*, person: User) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(person=person).select_related("actor").order_by("-at", "-pk")


def audit_export(*, user: User) -> dict:
    """The audit section of "Download my data": what was changed about this person, and when."""
    return {
        "account_history": [
            {
                "at": entry.at.isoformat(),
                "action": entry.action,
                "source": entry.source,
                "before": entry.before,
                "after": entry.after,
                "reason": entry.reason,
            }
            for entry in AuditEntry.objects.filter(person=user).order_by("at", "pk")
        ]
    }
