from tests.access import EMPLOYEE_API, EMPLOYEE_PAGE, HR_PAGE, LOGIN, Route, expect


def _event(cast):
    from leaderboard.services import points_adjust

    event = points_adjust(user=cast["employee"], points=5, actor=cast["hr"], reason="Welcome bonus")
    return {"event_id": event.pk}


HR_POST = expect(employee=403, hr=302)

ROUTES = [
    Route("leaderboard:board", EMPLOYEE_PAGE),
    Route("leaderboard:board", expect(employee=400, anonymous=LOGIN), query="?period=decade"),
    Route("leaderboard:my_points", EMPLOYEE_PAGE),
    Route("leaderboard:my_points_csv", EMPLOYEE_PAGE),
    Route("leaderboard:badges", EMPLOYEE_PAGE),
    Route("leaderboard:rules", expect(employee=403, comms=200, hr=200)),
    Route("leaderboard:review", HR_PAGE),
    Route("leaderboard:board_csv", HR_PAGE),
    Route("leaderboard:recompute", HR_PAGE),
    Route("leaderboard:review_person", HR_PAGE, kwargs=lambda cast: {"user_id": cast["employee"].pk}),
    Route("leaderboard:person_csv", HR_PAGE, kwargs=lambda cast: {"user_id": cast["employee"].pk}),
    Route(
        "leaderboard:adjust",
        HR_POST,
        method="post",
        kwargs=lambda cast: {"user_id": cast["employee"].pk},
        data=lambda cast: {"points": "5", "reason": "Helped at the fair", "token": "t1"},
    ),
    Route(
        "leaderboard:void",
        HR_POST,
        method="post",
        kwargs=_event,
        data=lambda cast: {"reason": "Entered twice"},
    ),
    Route("leaderboard:api_board", EMPLOYEE_API),
    Route("leaderboard:api_my_points", EMPLOYEE_API),
]
