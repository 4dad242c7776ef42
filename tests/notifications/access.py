from notifications.tokens import unsubscribe_token_make
from tests.access import EMPLOYEE_PAGE, LOGIN, PUBLIC, Route, expect


def _alice_digest_token(cast):
    return {"token": unsubscribe_token_make(user_id=cast["employee"].pk, list_name="digest")}


# The signed token is the credential: anyone holding the link (signed in or not) may use it.
ROUTES = [
    Route("notifications:unsubscribe", PUBLIC, kwargs=_alice_digest_token),
    Route("notifications:unsubscribe", PUBLIC, method="post", kwargs=_alice_digest_token),
]

ROUTES += [
    Route("notifications:preferences", EMPLOYEE_PAGE),
    # Push is off in the test settings (no VAPID keys): subscribing answers 404 to everyone signed in.
    Route("notifications:push_subscribe", expect(anonymous=LOGIN, employee=404), method="post"),
    Route("notifications:push_unsubscribe", expect(anonymous=LOGIN, employee=302), method="post"),
]
