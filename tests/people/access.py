from tests.access import EMPLOYEE_API, EMPLOYEE_PAGE, HR_PAGE, LOGIN, Route, expect


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
    # Two-step sign-in: the code step only exists between a right password and the code.
    Route("login_code", expect(employee=LOGIN)),
    Route("login_code", expect(employee=LOGIN), method="post", data=lambda cast: {"code": "123456"}),
    Route("admin_login", expect(anonymous=200, employee=200)),
    Route("people:security", EMPLOYEE_PAGE),
    Route("people:security_setup", EMPLOYEE_PAGE),
    Route("people:security_setup", expect(employee=400), method="post", data=dict),
    Route("people:security_codes", EMPLOYEE_PAGE),
    Route("people:security_codes", expect(employee=302), method="post", data=dict),
    # Nobody in the cast has fresh codes to download, nor an app to remove or new codes to make.
    Route("people:security_codes_download", expect(employee=302)),
    Route("people:security_codes_new", expect(employee=302)),
    Route("people:security_codes_new", expect(employee=302), method="post", data=lambda cast: {"code": "123456"}),
    Route("people:security_remove", expect(employee=302)),
    Route("people:security_remove", expect(employee=302), method="post", data=lambda cast: {"code": "123456"}),
    Route("people:api_me", EMPLOYEE_API),
    Route("people:api_team_list", EMPLOYEE_API),
]
