"""The reward draws' part of "Download my data" and of erasure (registered in apps.py)."""

from advocacy.people.personal_data import keep, register


def export(*, user) -> dict:
    from .models import Entrant, FreeEntryRequest, Winner

    wins = Winner.objects.filter(entrant__user=user).select_related("draw", "prize").order_by("draw_id", "slot")
    return {
        "draw_entries": [
            {
                "draw": entrant.draw.name,
                "entrant_id": entrant.entrant_id,
                "weight": entrant.weight,
                "shares": entrant.shares,
                "free_entry": entrant.free_entry,
            }
            for entrant in Entrant.objects.filter(user=user).select_related("draw").order_by("draw_id")
        ],
        "free_entry_requests": [
            {"draw": request.draw.name, "requested_at": request.created_at.isoformat() if request.created_at else None}
            for request in FreeEntryRequest.objects.filter(user=user).select_related("draw").order_by("draw_id")
        ],
        "draw_wins": [{"draw": win.draw.name, "prize": win.prize.description, "status": win.status} for win in wins],
    }


def register_section() -> None:
    # Erasure keeps entries and wins: finished draws must stay verifiable, and their
    # published lists only ever held pseudonymous entrant ids.
    register(
        "draws",
        export=export,
        erase=keep,
        models=[
            "draws.Entrant",
            "draws.FreeEntryRequest",
            "draws.Winner",
            "draws.Draw",
            "draws.Draw_excluded_people",
            "draws.RulesVersion",
        ],
        position=50,
    )
