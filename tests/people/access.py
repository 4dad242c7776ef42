from tests.access import EMPLOYEE_API, EMPLOYEE_PAGE, Route, expect

ROUTES = [
    Route("people:profile", EMPLOYEE_PAGE),
    Route("people:team_list", expect(employee=403, comms=200, hr=200)),
    Route("people:people_list", expect(employee=403, hr=200)),
    Route("people:api_me", EMPLOYEE_API),
    Route("people:api_team_list", EMPLOYEE_API),
]
