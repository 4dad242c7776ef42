from tests.access import EMPLOYEE_API, EMPLOYEE_PAGE, PUBLIC, Route, expect

ROUTES = [
    Route("home", EMPLOYEE_PAGE),
    Route("healthz", PUBLIC),
    Route("login", expect(anonymous=200, employee=302)),
    Route("logout", expect(anonymous=302, employee=302), method="post"),
    Route("password_change", EMPLOYEE_PAGE),
    Route("password_change_done", EMPLOYEE_PAGE),
    Route("password_reset", PUBLIC),
    Route("password_reset_done", PUBLIC),
    Route("password_reset_confirm", PUBLIC, kwargs=lambda cast: {"uidb64": "MQ", "token": "bad-token"}),
    Route("password_reset_complete", PUBLIC),
    Route("api_schema", EMPLOYEE_API),
    Route("api_docs", EMPLOYEE_API),
    Route("media", expect(anonymous=404, employee=404), kwargs=lambda cast: {"path": "nothing/here.png"}),
    # Every admin page is behind the admin login; nobody in the cast is staff.
    Route("admin:index", expect(anonymous=302, employee=302)),
    Route("admin:people_user_changelist", expect(anonymous=302, employee=302)),
]
ADMIN_NAMESPACE_COVERED_BY = {"admin:index", "admin:people_user_changelist"}

# The installable app's files are public: a browser fetches them before anyone signs in.
ROUTES += [
    Route("web_app_manifest", PUBLIC),
    Route("service_worker", PUBLIC),
    Route("offline", PUBLIC),
]
