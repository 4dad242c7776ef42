"""The site navigation: one list, filtered per person by permission.

Apps add their entries here so the menu shows each role exactly what it may use;
the views still check the same permission server-side.

The menu must fit on one line at 1366 px for every role, so it is grouped: the employee
section shows its ungrouped items as links and each ``group`` as one dropdown; the comms
and HR sections are one dropdown each (their ``group`` is ignored). A new item joins an
existing group rather than adding a top-level link.
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
    # The dropdown this item sits in within the employee section ("" = a top-level link).
    group: str = ""


MY_SHARING = "My sharing"
REWARDS = "Rewards"

NAVIGATION: list[NavItem] = [
    NavItem("Home", "home", EMPLOYEE_AREA, "employee"),
    NavItem(
        "Library",
        "content_library:feed",
        EMPLOYEE_AREA,
        "employee",
        badge="content_library.selectors.library_new_count",
    ),
    NavItem("My suggestions", "content_library:suggestion_list", EMPLOYEE_AREA, "employee", group=MY_SHARING),
    NavItem("My activity", "sharing:my_activity", EMPLOYEE_AREA, "employee", group=MY_SHARING),
    NavItem("Posts", "content_library:comms_post_list", COMMS_WORKSPACE, "comms"),
    NavItem("Review", "content_library:comms_review", COMMS_WORKSPACE, "comms"),
    NavItem("Calendar", "content_library:comms_calendar", COMMS_WORKSPACE, "comms"),
    NavItem("Campaigns", "content_library:comms_campaigns", COMMS_WORKSPACE, "comms"),
    NavItem("Teams", "people:team_list", COMMS_WORKSPACE, "comms"),
    NavItem("Provider health", "metrics:provider_health", COMMS_WORKSPACE, "comms"),
    NavItem("People", "people:people_list", HR_WORKSPACE, "hr"),
    NavItem("SCIM tokens", "scim_tokens:list", HR_WORKSPACE, "hr"),
    NavItem("Provider health", "metrics:provider_health", HR_WORKSPACE, "hr"),
    NavItem("Leaderboard", "leaderboard:board", EMPLOYEE_AREA, "employee", group=REWARDS),
    NavItem("My points", "leaderboard:my_points", EMPLOYEE_AREA, "employee", group=REWARDS),
    NavItem("Points rules", "leaderboard:rules", COMMS_WORKSPACE, "comms"),
    NavItem("Leaderboard review", "leaderboard:review", HR_WORKSPACE, "hr"),
    NavItem("Guidelines", "guidelines:portal", EMPLOYEE_AREA, "employee"),
    NavItem("Guidelines admin", "guidelines:manage", COMMS_WORKSPACE, "comms"),
    NavItem("Acknowledgements", "guidelines:acknowledgement_rates", HR_WORKSPACE, "hr"),
    NavItem("Draws", "draws:list", EMPLOYEE_AREA, "employee", group=REWARDS),
    NavItem("Notifications", "notifications:preferences", EMPLOYEE_AREA, "employee", group=MY_SHARING),
    NavItem("Draws admin", "draws:manage_list", HR_WORKSPACE, "hr"),
    NavItem("Analytics", "analytics:comms_dashboard", COMMS_WORKSPACE, "comms"),
    NavItem("Analytics", "analytics:hr_dashboard", HR_WORKSPACE, "hr"),
    NavItem("Branding", "branding:edit", COMMS_WORKSPACE, "comms"),
    NavItem("Style guide", "branding:styleguide", COMMS_WORKSPACE, "comms"),
    NavItem("Programme goals", "programme:goal_list", COMMS_WORKSPACE, "comms"),
    NavItem("Reach", "programme:reach", COMMS_WORKSPACE, "comms"),
    NavItem("My audience", "programme:my_audience", EMPLOYEE_AREA, "employee", group=MY_SHARING),
    NavItem("Pulse", "programme:pulse_take", EMPLOYEE_AREA, "employee", group=MY_SHARING),
    NavItem("Pulse results", "programme:pulse_manage", COMMS_WORKSPACE, "comms"),
    NavItem("Pulse results", "programme:pulse_manage", HR_WORKSPACE, "hr"),
    NavItem("Ambassador candidates", "programme:ambassador_candidates", COMMS_WORKSPACE, "comms"),
    NavItem("Ambassadors", "programme:ambassador_list", COMMS_WORKSPACE, "comms"),
    NavItem("Cohorts and beta groups", "programme:cohort_list", COMMS_WORKSPACE, "comms"),
    NavItem("Ambassador programme", "programme:my_ambassadorship", EMPLOYEE_AREA, "employee", group=MY_SHARING),
    NavItem("Challenges", "challenges:list", EMPLOYEE_AREA, "employee", group=MY_SHARING),
    NavItem("Challenges admin", "challenges:manage_list", COMMS_WORKSPACE, "comms"),
    NavItem("Listening", "listening:monitor", COMMS_WORKSPACE, "comms"),
]

SECTION_TITLES = {"employee": "Advocate", "comms": "Comms", "hr": "HR"}


def menu_entries(section: dict) -> list[dict]:
    """A section's items as the menu draws them: links, and dropdowns {"menu": label, "items", "current"}."""
    if section["key"] != "employee":
        items = section["items"]
        return [{"menu": section["title"], "items": items, "current": any(i["current"] for i in items)}]
    entries: list[dict] = []
    menus: dict[str, dict] = {}
    for item in section["items"]:
        group = item.get("group", "")
        if not group:
            entries.append(item)
        elif group in menus:
            menus[group]["items"].append(item)
        else:
            menus[group] = {"menu": group, "items": [item]}
            entries.append(menus[group])
    for menu in menus.values():
        menu["current"] = any(i["current"] for i in menu["items"])
    return entries
