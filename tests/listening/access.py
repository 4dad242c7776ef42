from listening.services import term_add
from tests.access import COMMS_PAGE, Route, expect


def _term(cast):
    return {"term_id": term_add(actor=cast["comms"], kind="hashtag", value="#LaunchWeek").pk}


ROUTES = [
    Route("listening:monitor", COMMS_PAGE),
    Route("listening:settings", COMMS_PAGE),
    Route(
        "listening:settings",
        expect(employee=403, comms=400),
        method="post",
        data=lambda cast: {"kind": "hashtag", "value": "not a tag"},
    ),
    Route("listening:term_remove", expect(employee=403, comms=302), method="post", kwargs=_term, data=dict),
]
