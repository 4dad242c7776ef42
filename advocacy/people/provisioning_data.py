"""People's own rows from provisioning in "Download my data", and what erasure does to them."""

from .audit import audit_export
from .models import ExternalIdentity, Invitation, PeopleImportRow, User


def provisioning_export(*, user: User) -> dict:
    return {
        "sign_in_identities": [
            {"source": identity.source, "subject": identity.subject, "since": identity.created_at.isoformat()}
            for identity in ExternalIdentity.objects.filter(user=user).order_by("pk")
        ],
        "invitations": [
            {
                "email": invitation.email,
                "sent_at": invitation.sent_at.isoformat() if invitation.sent_at else None,
                "expires_at": invitation.expires_at.isoformat(),
                "accepted_at": invitation.accepted_at.isoformat() if invitation.accepted_at else None,
                "revoked_at": invitation.revoked_at.isoformat() if invitation.revoked_at else None,
            }
            for invitation in Invitation.objects.filter(user=user).order_by("pk")
        ],
        **audit_export(user=user),
    }


def provisioning_erase(*, user: User) -> None:
    """Wipe what still names them: provider subjects (often an email), invitations, import rows.

    The audit log stays: it now points at the nameless account, and says who erased it.
    """
    # The email is already wiped from the account; the import and invitation records still know it.
    emails = {
        subject.casefold()
        for subject in ExternalIdentity.objects.filter(user=user, source__in=["import", "invitation"]).values_list(
            "subject", flat=True
        )
    } | {email.casefold() for email in Invitation.objects.filter(user=user).values_list("email", flat=True)}
    ExternalIdentity.objects.filter(user=user).delete()
    Invitation.objects.filter(user=user).delete()
    PeopleImportRow.objects.filter(user=user).update(email="", display_name="", manager_email="", user=None)
    for email in emails:
        PeopleImportRow.objects.filter(email__iexact=email).update(email="", display_name="")
        PeopleImportRow.objects.filter(manager_email__iexact=email).update(manager_email="")
    User.objects.filter(manager=user).update(manager=None)
