"""Sharing's part of "Download my data" and of erasure (registered in apps.py)."""

from advocacy.people.personal_data import keep, register


def export(*, user) -> dict:
    from .models import Share

    def when(value):
        return value.isoformat() if value else None

    shares = list(Share.objects.filter(user=user).select_related("post").order_by("created_at", "id"))
    return {
        "shares": [
            {
                "post": share.post.title,
                "network": share.network,
                "link_code": share.code,
                "caption": share.caption,
                "first_shared_at": when(share.created_at),
                "last_shared_at": when(share.last_shared_at),
                "times_shared": share.times_shared,
                "human_clicks": share.human_clicks,
                "published_url": share.published_url,
            }
            for share in shares
        ],
        "clicks": {"total_human_clicks": sum(share.human_clicks for share in shares)},
    }


def register_section() -> None:
    # Erasure keeps shares and their clicks: the team and campaign totals must still add up.
    register("sharing", export=export, erase=keep, models=["sharing.Share"], position=10)
