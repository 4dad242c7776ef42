"""Notifications' part of erasure (registered in apps.py); the download has no section of its own."""

from advocacy.people.personal_data import keep, register


def export(*, user) -> dict:
    # The delivery log only says which emails were sent, so none goes twice; the
    # person's email settings are in the profile section.
    return {}


def register_section() -> None:
    register("notifications", export=export, erase=keep, models=["notifications.Delivery"], position=60)
