"""What each role's start page shows: one list of panels, filtered per person by permission.

Like the navigation, the panels name the selectors of higher apps by dotted path (resolved
when the page is drawn), so the ground floor never imports them. Each selector takes
``user`` and ``now`` and returns the panel's context in a fixed number of queries.
"""

from dataclasses import dataclass

from .people.roles import COMMS_WORKSPACE, EMPLOYEE_AREA, HR_WORKSPACE


@dataclass(frozen=True)
class HomePanel:
    section: str  # "employee", "comms" or "hr", as in advocacy.navigation
    permission: str
    template: str
    selector: str  # dotted path to a function(*, user, now) -> dict


HOME_PANELS: list[HomePanel] = [
    HomePanel("employee", EMPLOYEE_AREA, "home/_share_today.html", "content_library.selectors.home_share_today"),
    HomePanel("employee", EMPLOYEE_AREA, "home/_my_week.html", "leaderboard.selectors.home_my_week"),
    HomePanel("employee", EMPLOYEE_AREA, "home/_open_draw.html", "draws.selectors.home_open_draw"),
    HomePanel("employee", EMPLOYEE_AREA, "home/_policy.html", "guidelines.selectors.home_policy_state"),
    HomePanel("employee", EMPLOYEE_AREA, "programme/_home_ambassador.html", "programme.ambassadorship.home_ambassador"),
    HomePanel("comms", COMMS_WORKSPACE, "home/_comms_week.html", "content_library.selectors.home_comms_week"),
    HomePanel("comms", COMMS_WORKSPACE, "home/_comms_month.html", "analytics.selectors.home_comms_month"),
    HomePanel("comms", COMMS_WORKSPACE, "programme/_home_goals.html", "programme.selectors.home_goals"),
    HomePanel("hr", HR_WORKSPACE, "home/_hr_boards.html", "leaderboard.selectors.home_boards_to_review"),
    HomePanel("hr", HR_WORKSPACE, "home/_hr_draws.html", "draws.selectors.home_draws_by_state"),
    HomePanel("hr", HR_WORKSPACE, "home/_hr_people.html", "guidelines.selectors.home_people_and_acknowledgements"),
]

HOME_TITLES = {"employee": "Share", "comms": "Comms", "hr": "HR"}
