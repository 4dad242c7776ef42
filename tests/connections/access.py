from tests.access import EMPLOYEE_PAGE, Route, expect


def _alices_account(cast):
    from connections.services import connected_account_store

    account = connected_account_store(
        person=cast["employee"],
        network="threads",
        handle="alice.archer",
        remote_account_id="17841400000000001",
        access_token="THREADS-ACCESS-TOKEN",
    )
    return {"account_id": account.pk}


ROUTES = [
    Route("connections:my_connections", EMPLOYEE_PAGE),
    # Only its owner may disconnect an account: everyone else gets a 404, as if it did not exist.
    Route(
        "connections:disconnect",
        expect(employee=302, other_employee=404, comms=404, hr=404),
        method="post",
        kwargs=_alices_account,
    ),
    Route("connections:disconnect", expect(anonymous=405, employee=405), kwargs=_alices_account),
    Route("connections:connect_mastodon", EMPLOYEE_PAGE),
    # Nothing typed: the form again, with its error (no instance is contacted).
    Route("connections:connect_mastodon", EMPLOYEE_PAGE, method="post"),
    # Without a connection started in this session: back to the health page, saying so.
    Route("connections:mastodon_callback", expect(employee=302)),
    Route("connections:connect_bluesky", EMPLOYEE_PAGE),
    # Nothing typed: the form again, with its errors (Bluesky is not contacted).
    Route("connections:connect_bluesky", EMPLOYEE_PAGE, method="post"),
    # To LinkedIn's consent page when the app is configured, else back to the token-health page.
    Route("connections:connect_linkedin", expect(employee=302)),
    # Without a state it started, back to the token-health page with the reason; nothing is saved.
    Route("connections:linkedin_callback", expect(employee=302), query="?code=x&state=y"),
]

# X and Threads are not set up in the test settings: their connect and callback URLs answer 404
# to everyone signed in (tests/connections/test_flow_x.py and test_flow_threads.py switch them on).
ROUTES += [
    Route(name, expect(employee=404))
    for name in (
        "connections:connect_x",
        "connections:x_callback",
        "connections:connect_threads",
        "connections:threads_callback",
    )
]
