"""The content library's part of "Download my data" and of erasure (registered in apps.py)."""

from advocacy.people.personal_data import keep, register


def export(*, user) -> dict:
    from .models import Suggestion

    def when(value):
        return value.isoformat() if value else None

    return {
        "suggestions": [
            {
                "url": suggestion.url,
                "text": suggestion.text,
                "draft_caption": suggestion.draft_caption,
                "image": suggestion.image.name or None,
                "status": suggestion.status,
                "review_note": suggestion.review_note,
                "created_at": when(suggestion.created_at),
                "reviewed_at": when(suggestion.reviewed_at),
            }
            for suggestion in Suggestion.objects.filter(author=user).order_by("created_at", "id")
        ],
    }


def register_section() -> None:
    # Erasure keeps suggestions (an approved one became a post) and who wrote, reviewed or
    # moved posts and campaigns, tied to the nameless account; the last feed visit stays too.
    register(
        "content_library",
        export=export,
        erase=keep,
        models=[
            "content_library.Suggestion",
            "content_library.Post",
            "content_library.PostTransition",
            "content_library.Campaign",
            "content_library.LibraryVisit",
        ],
        position=40,
    )
