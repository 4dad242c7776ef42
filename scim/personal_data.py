"""SCIM's part of "Download my data" and of erasure (registered in apps.py)."""

from advocacy.people.personal_data import register


def export(*, user) -> dict:
    from .models import ScimDeactivation, ScimUser

    record = ScimUser.objects.filter(user=user).first()
    return {
        "scim": {
            "user_name": record.user_name,
            "external_id": record.external_id,
            "attributes": record.data,
            "groups": sorted(record.scim_groups.values_list("display_name", flat=True)),
        }
        if record
        else None,
        "scim_deactivations": [
            {"at": row.at.isoformat(), "how": row.how, "token": row.token_name}
            for row in ScimDeactivation.objects.filter(user=user).order_by("at")
        ],
    }


def erase(*, user) -> None:
    """The SCIM record holds names and email addresses: it goes, with the link to the provider.

    A provider that still lists the person would create a new, unrelated account on its next
    sync, which is what erasure asks for. Deactivation notes (a date and a token name) stay for
    HR review; tokens an erased HR person made stay, tied to the anonymous account.
    """
    from advocacy.people.models import ExternalIdentity

    from .models import ScimUser
    from .services import SOURCE

    ids = [str(pk) for pk in ScimUser.objects.filter(user=user).values_list("pk", flat=True)]
    ExternalIdentity.objects.filter(user=user, source=SOURCE, subject__in=ids).delete()
    ScimUser.objects.filter(user=user).delete()


def register_section() -> None:
    register(
        "scim",
        export=export,
        erase=erase,
        models=["scim.ScimUser", "scim.ScimDeactivation", "scim.ScimToken"],
        position=90,
    )
