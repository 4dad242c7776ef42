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


def _dan(cast):
    return {"user_id": cast["deactivated"].pk}


def _invitation(cast):
    from advocacy.people.invitations import invitation_send

    return {"invitation_id": invitation_send(user=cast["other_employee"], actor=cast["hr"]).pk}


def _token(cast):
    from advocacy.people.invitations import invitation_send, invitation_token
    from tests.factories import UserFactory

    newcomer = UserFactory(username="newcomer", email="newcomer@example.com")
    return {"token": invitation_token(invitation=invitation_send(user=newcomer, actor=cast["hr"]))}


def _import(cast):
    from advocacy.people.models import PeopleImport

    people_import = PeopleImport.objects.create(uploaded_by=cast["hr"], file_name="people.csv", file_sha256="0" * 64)
    return {"import_id": people_import.pk}


HR_POST_REDIRECT = expect(employee=403, hr=302)

ROUTES += [
    Route("people:audit_list", HR_PAGE),
    Route("people:person_detail", HR_PAGE, kwargs=_bob),
    Route(
        "people:person_detail", HR_POST_REDIRECT, method="post", kwargs=_bob, data=lambda cast: {"roles": ["Employee"]}
    ),
    Route("people:person_deactivate", HR_PAGE, kwargs=_bob),
    Route("people:person_deactivate", HR_POST_REDIRECT, method="post", kwargs=_bob, data=dict),
    Route("people:person_reactivate", HR_PAGE, kwargs=_dan),
    Route("people:person_reactivate", HR_POST_REDIRECT, method="post", kwargs=_dan, data=dict),
    Route("people:person_invite_new", HR_PAGE),
    # An empty form names what is missing.
    Route("people:person_invite_new", expect(employee=403, hr=400), method="post", data=dict),
    Route("people:person_invite", HR_POST_REDIRECT, method="post", kwargs=_bob, data=dict),
    Route("people:invitation_revoke", HR_POST_REDIRECT, method="post", kwargs=_invitation, data=dict),
    Route("people:import_list", HR_PAGE),
    Route("people:import_new", HR_PAGE),
    Route("people:import_new", expect(employee=403, hr=400), method="post", data=dict),
    Route("people:import_sample", HR_PAGE),
    Route("people:import_detail", HR_PAGE, kwargs=_import),
    Route("people:import_status", HR_PAGE, kwargs=_import),
    Route("people:import_start", HR_POST_REDIRECT, method="post", kwargs=_import, data=dict),
    Route("people:import_create_teams", HR_POST_REDIRECT, method="post", kwargs=_import, data=dict),
    Route("people:import_discard", HR_POST_REDIRECT, method="post", kwargs=_import, data=dict),
    Route("people:import_resume", HR_POST_REDIRECT, method="post", kwargs=_import, data=dict),
    Route("people:import_invite", HR_POST_REDIRECT, method="post", kwargs=_import, data=dict),
    # The invitation link is public: anyone holding it sees the page (signed in or not).
    Route("people:invitation_accept", expect(anonymous=200, employee=200), kwargs=_token),
    # Without a password the form comes back saying what is missing.
    Route("people:invitation_accept", expect(anonymous=400, employee=400), method="post", kwargs=_token, data=dict),
]
