"""Notifications' part of the download (push devices and settings) and of erasure (registered in apps.py)."""

from advocacy.people.personal_data import register

from .models import PushPreference, PushSubscription


def export(*, user) -> dict:
    # The delivery log only says which emails and pushes were sent, so none goes twice; the
    # person's email settings are in the profile section.
    return {
        "push_devices": [
            {"added": subscription.created_at.isoformat(), "browser": subscription.user_agent}
            for subscription in PushSubscription.objects.filter(user=user)
        ],
        "push_settings": dict(PushPreference.objects.filter(user=user).values_list("kind", "frequency")),
    }


def erase(*, user) -> None:
    # The delivery log is kept (it stops a retry from sending twice); devices and settings go.
    PushSubscription.objects.filter(user=user).delete()
    PushPreference.objects.filter(user=user).delete()


def register_section() -> None:
    register(
        "notifications",
        export=export,
        erase=erase,
        models=["notifications.Delivery", "notifications.PushSubscription", "notifications.PushPreference"],
        position=60,
    )
