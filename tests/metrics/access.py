from tests.access import Route, expect


def _share_of_alice(cast):
    from tests.metrics.conftest import make_share

    return {"share_id": make_share(user=cast["employee"]).pk}


ROUTES = [
    Route("metrics:provider_health", expect(employee=403, comms=200, hr=200)),
    # Bob may not learn that Alice's share exists: 404, not 403.
    Route("metrics:share_history", expect(other_employee=404, comms=200, hr=200), kwargs=_share_of_alice),
]
