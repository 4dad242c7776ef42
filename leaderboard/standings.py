"""What the incremental apply and the full rebuild of the standings share.

Boards kept: the current and the previous week, month and quarter, and all
time; each for everyone, per team (the members' own events) and per campaign,
plus team-against-team boards for everyone and per campaign.

Order on a board (the documented tie rule): more points first; on equal
points, whoever reached the total first (earlier ``reached_at``, the time of
their latest event on the board); then the lower user id. Every input is a
fact of the ledger, so the same ledger in any order gives the same standings.

``standings_apply`` adds new ledger events to the boards as they come;
``standings_rebuild`` recreates every board from the whole ledger. Both take the same
lock, rank the same people (``unranked_users_q``) and count team members the same way.
"""

# ruff: noqa: S608

from django.db import connection
from django.db.models import Count, Q

from advocacy.people.models import Team
from advocacy.people.roles import Role

from .models import PointsRules, Standing, TeamStanding

Scope = Standing.Scope
# Serialises the apply and the rebuild on PostgreSQL (an arbitrary constant: "LBD" + 1).
LOCK_KEY = 0x4C424401


def _rules_visibility() -> tuple[str, bool]:
    rules = PointsRules.objects.order_by("-version").values_list("hidden_display", "exclude_staff").first()
    return rules or (PointsRules.HiddenDisplay.ANONYMOUS, True)


def unranked_users_q() -> Q:
    """People left out of the rankings: deactivated, staff (by default), and hidden people when omitted."""
    hidden_display, exclude_staff = _rules_visibility()
    q = Q(is_active=False)
    if exclude_staff:
        q |= Q(groups__name__in=[Role.COMMS_ADMIN.value, Role.HR.value])
    if hidden_display == PointsRules.HiddenDisplay.OMIT:
        q |= Q(hide_from_leaderboards=True)
    return q


def lock() -> None:
    """Hold the standings lock until the transaction ends (PostgreSQL; SQLite writes one at a time anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def standings_reflag(*, user_ids) -> int:
    """Mark these people's standings ranked or unranked as ``unranked_users_q`` now says (deactivation,
    reactivation); ranks are counted at read time, so everyone else moves up at once. Returns rows changed."""
    from advocacy.people.models import User

    ids = set(user_ids)
    lock()
    unranked = set(User.objects.filter(unranked_users_q(), pk__in=ids).values_list("pk", flat=True))
    changed = Standing.objects.filter(user_id__in=unranked, unranked=False).update(unranked=True)
    changed += Standing.objects.filter(user_id__in=ids - unranked, unranked=True).update(unranked=False)
    team_ids = set(User.objects.filter(pk__in=ids, team__isnull=False).values_list("team_id", flat=True))
    if team_ids:
        refresh_team_members(team_ids)
    return changed


def refresh_team_members(team_ids: set[int] | None) -> None:
    """Members are the team's active people; the average divides by at least one."""
    teams = Team.objects.all() if team_ids is None else Team.objects.filter(pk__in=team_ids)
    counts = dict(teams.annotate(n=Count("members", filter=Q(members__is_active=True))).values_list("pk", "n"))
    if not counts:
        return
    table = TeamStanding._meta.db_table
    # Only rows whose members or average really change are written: a team's rows of past
    # periods are untouched by an apply, and rewriting them all was most of a small apply.
    changed = "(t.members <> u.members OR t.average <> CAST(t.points * 1.0 / u.divisor AS double precision))"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} t SET members = u.members, average = t.points * 1.0 / u.divisor "  # nosec B608
                "FROM unnest(%s::bigint[], %s::int[], %s::int[]) AS u(team_id, members, divisor) "
                f"WHERE t.team_id = u.team_id AND {changed}",
                [list(counts), list(counts.values()), [max(n, 1) for n in counts.values()]],
            )
            return
        for team_id, members in counts.items():
            cursor.execute(
                f"UPDATE {table} AS t SET members = %s, average = points * 1.0 / %s "  # nosec B608
                f"FROM (SELECT %s AS members, %s AS divisor) AS u WHERE t.team_id = %s AND {changed}",
                [members, max(members, 1), members, max(members, 1), team_id],
            )
