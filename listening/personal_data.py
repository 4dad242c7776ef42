"""Listening's part of "Download my data" and of erasure (registered in apps.py).

A mention is a public post the person wrote; we keep which employee wrote it only to count
the employees' share. Erasure unlinks the mention (the post stays public on the network, and
the day's counts are left as they were: they are totals, not the person).
"""

from advocacy.people.personal_data import register


def export(*, user) -> dict:
    from .models import Mention

    return {
        "listening_mentions": [
            {"network": m.network, "url": m.url, "author": m.author_handle, "posted_at": m.posted_at.isoformat()}
            for m in Mention.objects.filter(employee=user).order_by("posted_at", "id")
        ]
    }


def erase(*, user) -> None:
    from .models import Mention

    Mention.objects.filter(employee=user).update(employee=None)


def register_section() -> None:
    register(
        "listening",
        export=export,
        erase=erase,
        models=["listening.Term", "listening.Mention"],
        position=67,
    )
