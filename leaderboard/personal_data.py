"""The leaderboard's part of "Download my data" and of erasure (registered in apps.py)."""

from django.db import transaction

from advocacy.people.personal_data import register


def export(*, user) -> dict:
    from .selectors import points_events_for, points_total_for

    return {
        "points": {
            "total": points_total_for(user=user),
            "events": [
                {
                    "kind": event.kind,
                    "points": event.points,
                    "quantity": event.quantity,
                    "description": event.description,
                    "reason": event.reason,
                    "occurred_at": event.occurred_at.isoformat() if event.occurred_at else None,
                    "voided": event.is_voided,
                }
                for event in points_events_for(user=user)
            ],
        },
    }


def erase(*, user) -> None:
    """The ledger stays (other people's ranks depend on it); a rebuild takes the erased person off every board."""
    from .tasks import rebuild_standings

    transaction.on_commit(lambda: rebuild_standings.delay())


def register_section() -> None:
    register(
        "leaderboard",
        export=export,
        erase=erase,
        models=[
            "leaderboard.PointEvent",
            "leaderboard.Standing",
            "leaderboard.PointsRules",
            "leaderboard.Recompute",
            # HR's review flags: derived from the clicks, recomputed by the worker (review_flags.py).
            "leaderboard.ReviewFlags",
        ],
        position=20,
    )
