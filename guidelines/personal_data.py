"""The guidelines portal's part of "Download my data" and of erasure (registered in apps.py)."""

from advocacy.people.personal_data import keep, register


def export(*, user) -> dict:
    from .models import Acknowledgement

    return {
        "acknowledgements": [
            {
                "document": ack.version.document.title,
                "version": ack.version.number,
                "acknowledged_at": ack.acknowledged_at.isoformat() if ack.acknowledged_at else None,
            }
            for ack in Acknowledgement.objects.filter(user=user).select_related("version__document")
        ],
    }


def register_section() -> None:
    # Erasure keeps acknowledgements (the record that the policy was accepted) and the
    # authorship of versions, images and banned terms, tied to the nameless account.
    register(
        "guidelines",
        export=export,
        erase=keep,
        models=[
            "guidelines.Acknowledgement",
            "guidelines.AcknowledgementReminder",
            "guidelines.GuidelineVersion",
            "guidelines.GuidelineImage",
            "guidelines.BannedTerm",
        ],
        position=30,
    )
