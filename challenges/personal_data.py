"""The challenges' part of "Download my data" and of erasure (registered in apps.py)."""

from advocacy.people.personal_data import keep, register


def export(*, user) -> dict:
    from .models import Entry

    return {
        "challenge_entries": [
            {
                "challenge": entry.challenge.title,
                "hashtag": entry.challenge.hashtag,
                "caption": entry.post.suggested_caption,
                "created_at": entry.created_at.isoformat(),
                "promotion": entry.promotion,
                "promotion_answered_at": entry.promotion_answered_at.isoformat()
                if entry.promotion_answered_at
                else None,
            }
            for entry in Entry.objects.filter(author=user)
            .select_related("challenge__campaign", "post")
            .order_by("created_at", "id")
        ],
    }


def register_section() -> None:
    # Like suggestions, entries stay tied to the nameless account after an erasure: their shares,
    # clicks and a challenge's board must still add up (the caption is in the download first).
    register(
        "challenges",
        export=export,
        erase=keep,
        models=["challenges.Challenge", "challenges.Entry"],
        position=65,
    )
