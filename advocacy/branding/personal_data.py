"""Branding's part of erasure: who last edited it stays, as the nameless account (registered in apps.py)."""

from advocacy.people.personal_data import keep, register


def export(*, user) -> dict:
    from .models import Branding

    return {"branding_last_edited": Branding.objects.filter(updated_by=user).exists()}


def register_section() -> None:
    register("branding", export=export, erase=keep, models=["branding.Branding"], position=98)
