"""The site navigation: one list, filtered per person by permission.

Apps add their entries here so the menu shows each role exactly what it may use;
the views still check the same permission server-side.
"""

from dataclasses import dataclass

from .people.roles import COMMS_WORKSPACE, EMPLOYEE_AREA, HR_WORKSPACE


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str
    section: str  # "employee", "comms" or "hr": groups the menu
    # Dotted path to a function(*, user) -> int shown as a count next to the label (one fixed-cost query).
    badge: str = ""


NAVIGATION: list[NavItem] = [
    NavItem("Home", "home", EMPLOYEE_AREA, "employee"),
    NavItem(
        "Library",
        "content_library:feed",
        EMPLOYEE_AREA,
        "employee",
        badge="content_library.selectors.library_new_count",
    ),
    NavItem("My suggestions", "content_library:suggestion_list", EMPLOYEE_AREA, "employee"),
    NavItem("My activity", "sharing:my_activity", EMPLOYEE_AREA, "employee"),
    NavItem("Posts", "content_library:comms_post_list", COMMS_WORKSPACE, "comms"),
    NavItem("Review", "content_library:comms_review", COMMS_WORKSPACE, "comms"),
    NavItem("Calendar", "content_library:comms_calendar", COMMS_WORKSPACE, "comms"),
    NavItem("Campaigns", "content_library:comms_campaigns", COMMS_WORKSPACE, "comms"),
    NavItem("Teams", "people:team_list", COMMS_WORKSPACE, "comms"),
    NavItem("Provider health", "metrics:provider_health", COMMS_WORKSPACE, "comms"),
    NavItem("People", "people:people_list", HR_WORKSPACE, "hr"),
    NavItem("SCIM tokens", "scim_tokens:list", HR_WORKSPACE, "hr"),
    NavItem("Provider health", "metrics:provider_health", HR_WORKSPACE, "hr"),
    NavItem("Leaderboard", "leaderboard:board", EMPLOYEE_AREA, "employee"),
    NavItem("My points", "leaderboard:my_points", EMPLOYEE_AREA, "employee"),
    NavItem("Points rules", "leaderboard:rules", COMMS_WORKSPACE, "comms"),
    NavItem("Leaderboard review", "leaderboard:review", HR_WORKSPACE, "hr"),
    NavItem("Guidelines", "guidelines:portal", EMPLOYEE_AREA, "employee"),
    NavItem("Guidelines admin", "guidelines:manage", COMMS_WORKSPACE, "comms"),
    NavItem("Acknowledgements", "guidelines:acknowledgement_rates", HR_WORKSPACE, "hr"),
    NavItem("Draws", "draws:list", EMPLOYEE_AREA, "employee"),
    NavItem("Notifications", "notifications:preferences", EMPLOYEE_AREA, "employee"),
    NavItem("Draws admin", "draws:manage_list", HR_WORKSPACE, "hr"),
    NavItem("Analytics", "analytics:comms_dashboard", COMMS_WORKSPACE, "comms"),
    NavItem("Analytics", "analytics:hr_dashboard", HR_WORKSPACE, "hr"),
]

SECTION_TITLES = {"employee": "Advocate", "comms": "Comms", "hr": "HR"}
