from notifications.tokens import unsubscribe_token_make
from tests.access import PUBLIC, Route


def _alice_digest_token(cast):
    return {"token": unsubscribe_token_make(user_id=cast["employee"].pk, list_name="digest")}


# The signed token is the credential: anyone holding the link (signed in or not) may use it.
ROUTES = [
    Route("notifications:unsubscribe", PUBLIC, kwargs=_alice_digest_token),
    Route("notifications:unsubscribe", PUBLIC, method="post", kwargs=_alice_digest_token),
]
