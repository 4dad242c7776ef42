from tests.access import EMPLOYEE_API, EMPLOYEE_PAGE, HR_PAGE, Route, expect


def _bob(cast):
    return {"user_id": cast["other_employee"].pk}


ROUTES = [
    Route("people:profile", EMPLOYEE_PAGE),
    Route("people:my_data", EMPLOYEE_PAGE),
    Route("people:team_list", expect(employee=403, comms=200, hr=200)),
    Route("people:people_list", expect(employee=403, hr=200)),
    Route("people:person_erase", HR_PAGE, kwargs=_bob),
    # Without the typed confirmation nothing happens: HR gets the form back with an error.
    Route("people:person_erase", expect(employee=403, hr=400), method="post", kwargs=_bob, data=dict),
    Route(
        "people:person_erase",
        expect(employee=403, hr=302),
        method="post",
        kwargs=_bob,
        data=lambda cast: {"confirm_username": "bob"},
    ),
    Route("people:api_me", EMPLOYEE_API),
    Route("people:api_team_list", EMPLOYEE_API),
]
