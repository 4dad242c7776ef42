from tests.access import COMMS_PAGE, EMPLOYEE_PAGE, Route, expect

COMMS_REDIRECT = expect(employee=403, comms=302)


def _goal(cast):
    from datetime import date

    from programme.models import Goal

    goal = Goal.objects.create(
        name="Shares", measure="shares", target=10, start=date(2026, 1, 1), end=date(2026, 12, 31)
    )
    return {"goal_id": goal.pk}


def _survey(cast):
    from datetime import date

    from programme.pulse import pulse_create

    survey = pulse_create(
        title="Pulse",
        period="2026-01",
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 1, 31),
        questions=["A", "B", "C"],
        created_by=None,
    )
    return {"survey_id": survey.pk}


ROUTES = [
    Route("programme:goal_list", COMMS_PAGE),
    Route("programme:goal_list", expect(employee=403, comms=400), method="post", data=lambda cast: {"name": ""}),
    Route("programme:goal_edit", COMMS_PAGE, kwargs=_goal),
    Route("programme:goal_delete", COMMS_REDIRECT, method="post", kwargs=_goal),
    Route("programme:reach", COMMS_PAGE),
    Route("programme:my_audience", EMPLOYEE_PAGE),
    Route("programme:pulse_manage", expect(employee=403, comms=200, hr=200)),
    Route("programme:pulse_results", expect(employee=403, comms=200, hr=200), kwargs=_survey),
    Route("programme:pulse_take", EMPLOYEE_PAGE),
    Route("programme:ambassador_candidates", COMMS_PAGE),
]
