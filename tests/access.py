"""The access matrix: what every URL answers to every kind of visitor.

Each app lists its routes in ``tests/<app>/access.py`` as ``ROUTES``; the
matrix test collects them all and fails when a URL pattern has no entry, so a
new page cannot ship without saying who may see it.

Visitors: anonymous, employee (alice, owner of any objects a route needs),
other_employee (bob, another team), comms (casey), hr (harper), deactivated (dan,
signed in before being deactivated).

Outcomes: an HTTP status, or LOGIN for "redirected to the login page".
"""

from collections.abc import Callable
from dataclasses import dataclass, field

LOGIN = "login"
VISITORS = ("anonymous", "employee", "other_employee", "comms", "hr", "deactivated")


def expect(*, anonymous=LOGIN, employee=200, other_employee=None, comms=None, hr=None, deactivated=None):
    """Spell out outcomes; other_employee/comms/hr default to the employee's, deactivated to anonymous's."""
    return {
        "anonymous": anonymous,
        "employee": employee,
        "other_employee": employee if other_employee is None else other_employee,
        "comms": employee if comms is None else comms,
        "hr": employee if hr is None else hr,
        "deactivated": anonymous if deactivated is None else deactivated,
    }


EMPLOYEE_PAGE = expect()
COMMS_PAGE = expect(employee=403, comms=200)
HR_PAGE = expect(employee=403, hr=200)
EMPLOYEE_API = expect(anonymous=403)
COMMS_API = expect(anonymous=403, employee=403, comms=200)
HR_API = expect(anonymous=403, employee=403, hr=200)
PUBLIC = expect(anonymous=200)


@dataclass
class Route:
    """One URL name, how to build its arguments, and what each visitor gets for each method."""

    name: str
    outcomes: dict
    method: str = "get"
    # Called with the cast (a dict of users) to create whatever the URL points at; returns kwargs for reverse().
    kwargs: Callable[[dict], dict] = field(default=lambda cast: {})
    data: Callable[[dict], dict] | None = None
    content_type: str | None = None
    query: str = ""
