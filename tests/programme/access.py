from tests.access import COMMS_PAGE, Route, expect

COMMS_REDIRECT = expect(employee=403, comms=302)


def _goal(cast):
    from datetime import date

    from programme.models import Goal

    goal = Goal.objects.create(
        name="Shares", measure="shares", target=10, start=date(2026, 1, 1), end=date(2026, 12, 31)
    )
    return {"goal_id": goal.pk}


ROUTES = [
    Route("programme:goal_list", COMMS_PAGE),
    Route("programme:goal_list", expect(employee=403, comms=400), method="post", data=lambda cast: {"name": ""}),
    Route("programme:goal_edit", COMMS_PAGE, kwargs=_goal),
    Route("programme:goal_delete", COMMS_REDIRECT, method="post", kwargs=_goal),
]
