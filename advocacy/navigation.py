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


NAVIGATION: list[NavItem] = [
    NavItem("Home", "home", EMPLOYEE_AREA, "employee"),
    NavItem("Teams", "people:team_list", COMMS_WORKSPACE, "comms"),
    NavItem("People", "people:people_list", HR_WORKSPACE, "hr"),
]

SECTION_TITLES = {"employee": "Advocate", "comms": "Comms", "hr": "HR"}
