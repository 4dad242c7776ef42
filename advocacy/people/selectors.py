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
