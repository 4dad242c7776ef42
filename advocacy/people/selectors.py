"""Reads for people and teams."""

from django.db.models import Count, Q, QuerySet

from .models import Team, User
from .roles import Role


def team_list() -> QuerySet[Team]:
    return Team.objects.annotate(member_count=Count("members", filter=Q(members__is_active=True))).order_by("name")


def employee_list(*, team: Team | None = None) -> QuerySet[User]:
    """Active people with the Employee role, with their team loaded."""
    people = (
        User.objects.filter(is_active=True, groups__name=Role.EMPLOYEE.value)
        .select_related("team")
        .order_by("display_name", "username")
        .distinct()
    )
    if team is not None:
        people = people.filter(team=team)
    return people


def user_roles(*, user: User) -> list[str]:
    if not user.is_authenticated:
        return []
    return sorted(group.name for group in user.groups.all())


def person_data_export(*, user: User) -> dict:
    """Everything the platform keeps about one person, as a JSON-ready document ("Download my data").

    The other apps' models are imported here rather than at the top: they all depend on
    people, and people only needs them for this one read.
    """
    from content_library.models import Suggestion
    from draws.models import Entrant, FreeEntryRequest, Winner
    from guidelines.models import Acknowledgement
    from leaderboard.selectors import points_events_for, points_total_for
    from sharing.models import Share

    def when(value):
        return value.isoformat() if value else None

    shares = list(Share.objects.filter(user=user).select_related("post").order_by("created_at", "id"))
    wins = Winner.objects.filter(entrant__user=user).select_related("draw", "prize").order_by("draw_id", "slot")
    return {
        "profile": {
            "username": user.username,
            "email": user.email,
            "display_name": user.display_name,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "team": user.team.name if user.team_id else None,
            "job_title": user.job_title,
            "avatar": user.avatar.name or None,
            "linkedin_profile_url": user.linkedin_profile_url,
            "x_handle": user.x_handle,
            "mastodon_handle": user.mastodon_handle,
            "bluesky_handle": user.bluesky_handle,
            "digest_frequency": user.digest_frequency,
            "notify_suggestion_updates": user.notify_suggestion_updates,
            "notify_policy_updates": user.notify_policy_updates,
            "hide_from_leaderboards": user.hide_from_leaderboards,
            "roles": user_roles(user=user),
            "date_joined": when(user.date_joined),
            "last_login": when(user.last_login),
        },
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
        "points": {
            "total": points_total_for(user=user),
            "events": [
                {
                    "kind": event.kind,
                    "points": event.points,
                    "quantity": event.quantity,
                    "description": event.description,
                    "reason": event.reason,
                    "occurred_at": when(event.occurred_at),
                    "voided": event.is_voided,
                }
                for event in points_events_for(user=user)
            ],
        },
        "acknowledgements": [
            {
                "document": ack.version.document.title,
                "version": ack.version.number,
                "acknowledged_at": when(ack.acknowledged_at),
            }
            for ack in Acknowledgement.objects.filter(user=user).select_related("version__document")
        ],
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
            {"draw": request.draw.name, "requested_at": when(request.created_at)}
            for request in FreeEntryRequest.objects.filter(user=user).select_related("draw").order_by("draw_id")
        ],
        "draw_wins": [{"draw": win.draw.name, "prize": win.prize.description, "status": win.status} for win in wins],
    }
