from tests.access import COMMS_PAGE, HR_PAGE, Route, expect


def _post(cast):
    from tests.content_library.factories import PostFactory

    return {"post_id": PostFactory(created_by=cast["comms"]).pk}


ROUTES = [
    Route("analytics:comms_dashboard", COMMS_PAGE),
    Route("analytics:post_performance", COMMS_PAGE, kwargs=_post),
    Route("analytics:post_export", COMMS_PAGE, kwargs=lambda cast: {**_post(cast), "table": "networks"}),
    Route("analytics:hr_dashboard", HR_PAGE),
    # Participation is for comms and HR alike; per-person totals for HR only; share lists for comms only.
    Route("analytics:export", expect(employee=403, comms=200, hr=200), kwargs=lambda cast: {"table": "participation"}),
]
