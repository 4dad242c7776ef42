"""Reads for people and teams."""

from django.db.models import Count, Q, QuerySet

from . import personal_data
from .models import Team, User
from .roles import Role


def team_list() -> QuerySet[Team]:
    return Team.objects.annotate(member_count=Count("members", filter=Q(members__is_active=True))).order_by("name")


def active_employees() -> QuerySet[User]:
    """The one definition of an active employee: an active account with the Employee role.

    They are who shares, who must acknowledge the policy, who enters draws and who the
    participation figures count. Add filters to it; never spell it out again.
    """
    return User.objects.filter(is_active=True, groups__name=Role.EMPLOYEE.value)


def employee_list(*, team: Team | None = None) -> QuerySet[User]:
    """Active employees, with their team loaded.

    No DISTINCT: a person holds the Employee group once (unique user and group), and DISTINCT
    would make every page sort and count the whole company.
    """
    people = active_employees().select_related("team").order_by("display_name", "username", "pk")
    if team is not None:
        people = people.filter(team=team)
    return people


def user_roles(*, user: User) -> list[str]:
    if not user.is_authenticated:
        return []
    return sorted(group.name for group in user.groups.all())


def person_profile_export(*, user: User) -> dict:
    """The profile section of "Download my data" (people's own registration in personal_data)."""

    def when(value):
        return value.isoformat() if value else None

    return {
        "profile": {
            "username": user.username,
            "email": user.email,
            "display_name": user.display_name,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "team": user.team.name if user.team_id else None,
            "manager": user.manager.name if user.manager_id else None,
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
    }


def person_data_export(*, user: User) -> dict:
    """Everything the platform keeps about one person, as a JSON-ready document ("Download my data").

    Assembled from the sections the apps registered in personal_data, in their order;
    each app writes its own part, so people never imports the apps above it.
    """
    document: dict = {}
    for section in personal_data.sections():
        document |= section.export(user=user)
    return document


DIRECTORY_STATUSES = {
    "active": "Active",
    "invited": "Invited, not joined yet",
    "deactivated": "Deactivated",
    "all": "Everyone",
}


def directory_search(*, query: str = "", team: Team | None = None, role: str = "", status: str = "active"):
    """HR's directory: everyone matching a name/email search, a team, a role and a status.

    Each person carries `has_open_invitation`; groups and team are loaded once per page.
    """
    from django.db.models import Exists, OuterRef

    from .models import Invitation

    open_invitation = Invitation.objects.filter(user=OuterRef("pk"), accepted_at=None, revoked_at=None)
    people = (
        User.objects.select_related("team")
        .prefetch_related("groups")
        .annotate(has_open_invitation=Exists(open_invitation))
        .order_by("display_name", "username", "pk")
    )
    words = query.split()
    for word in words[:5]:
        people = people.filter(
            Q(display_name__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
            | Q(email__icontains=word)
        )
    if team is not None:
        people = people.filter(team=team)
    if role:
        people = people.filter(groups__name=role)
    if status == "active":
        people = people.filter(is_active=True)
    elif status == "deactivated":
        people = people.filter(is_active=False)
    elif status == "invited":
        people = people.filter(is_active=True, last_login=None, has_open_invitation=True)
    return people


def person_for_directory(*, user_id: int) -> User:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(User.objects.select_related("team", "manager").prefetch_related("groups"), pk=user_id)
