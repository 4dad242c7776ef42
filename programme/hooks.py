"""What the programme contributes to lower apps' pages, through ``advocacy.panels`` (they never import it)."""

from django.urls import reverse

from advocacy.panels import Panel, register_digest_line, register_panel


def comms_dashboard_goals(*, request) -> Panel:
    from .selectors import goals_current_progress

    return Panel(
        template="programme/_dashboard_goals.html",
        context={"goals": goals_current_progress(), "manage_url": reverse("programme:goal_list")},
    )


def digest_programme_line(*, user, now) -> str:
    from django.utils import timezone

    from .selectors import programme_digest_line

    return programme_digest_line(today=timezone.localdate(now))


def comms_dashboard_reach(*, request) -> Panel:
    from .reach import reach_summary

    return Panel(
        template="programme/_dashboard_reach.html",
        context={"reach": reach_summary(), "calculator_url": reverse("programme:reach")},
    )


def register_hooks() -> None:
    from .personal_data import register_section

    register_section()
    register_panel("comms_dashboard", key="programme.goals", provider=comms_dashboard_goals)
    register_panel("comms_dashboard", key="programme.reach", provider=comms_dashboard_reach)
    register_digest_line(key="programme.goals", provider=digest_programme_line)
