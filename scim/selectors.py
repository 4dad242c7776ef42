"""Reads for SCIM: tokens for the HR page, records for the API, and why SCIM switched someone off."""

from django.db.models import Prefetch, QuerySet
from django.utils import formats, timezone

from .models import ScimDeactivation, ScimGroup, ScimToken, ScimUser


def token_list() -> QuerySet[ScimToken]:
    return ScimToken.objects.select_related("created_by", "revoked_by").order_by("revoked_at", "-created_at")


def scim_users() -> QuerySet[ScimUser]:
    """Every provisioned person with what a User resource shows (account, groups) in a fixed number of queries."""
    return ScimUser.objects.select_related("user").prefetch_related(
        Prefetch("scim_groups", queryset=ScimGroup.objects.order_by("display_name", "id"))
    )


def scim_groups() -> QuerySet[ScimGroup]:
    return ScimGroup.objects.prefetch_related(Prefetch("members", queryset=ScimUser.objects.select_related("user")))


def group_names_for(*, scim_user: ScimUser) -> tuple[str, ...]:
    return tuple(
        scim_user.scim_groups.order_by("scimmembership__added_at", "id").values_list("display_name", flat=True)
    )


def deactivation_notes(*, user_ids) -> dict[int, str]:
    """Registered with advocacy.people.deactivations: the latest SCIM deactivation of each inactive person."""
    notes: dict[int, str] = {}
    rows = ScimDeactivation.objects.filter(user_id__in=list(user_ids), user__is_active=False).order_by("user_id", "-at")
    for row in rows.values("user_id", "at", "how", "token_name"):
        if row["user_id"] in notes:
            continue
        day = formats.date_format(timezone.localtime(row["at"]), "j M Y")
        via = f" (token “{row['token_name']}”)" if row["token_name"] else ""
        notes[row["user_id"]] = f"deactivated on {day} by SCIM{via}"
    return notes
