from tests.access import EMPLOYEE_API, EMPLOYEE_PAGE, PUBLIC, Route, expect

from .conftest import make_post, make_share

CAPTION = "Proud of the team: the new app is out! #employee"
LINKEDIN_POST = "https://www.linkedin.com/feed/update/urn:li:activity:7123456789012345678/"


def _post(cast):
    return {"slug": make_post().slug}


def _code(cast):
    return {"code": make_share(user=cast["employee"], post=make_post()).code}


def _landing_code(cast):
    return {"code": make_share(user=cast["employee"], post=make_post(destination_url="")).code}


def _alices_share(cast):
    return {"share_id": make_share(user=cast["employee"], post=make_post()).pk}


OWNER_ONLY_PAGE = expect(employee=200, other_employee=404, comms=404, hr=404)
OWNER_ONLY_POST = expect(employee=302, other_employee=404, comms=404, hr=404)
OWNER_ONLY_API = expect(anonymous=403, employee=200, other_employee=404, comms=404, hr=404)

ROUTES = [
    # Public by design: everyone (and every bot) gets the redirect, never a login page.
    Route("sharing:redirect", expect(anonymous=302, employee=302), kwargs=_code),
    Route("sharing:landing", PUBLIC, kwargs=_landing_code),
    Route(
        "sharing:share",
        expect(employee=303),
        method="post",
        kwargs=_post,
        data=lambda cast: {"network": "linkedin", "caption": CAPTION},
    ),
    Route("sharing:share_open", OWNER_ONLY_PAGE, kwargs=_alices_share),
    Route("sharing:my_activity", EMPLOYEE_PAGE),
    Route(
        "sharing:published_url",
        OWNER_ONLY_POST,
        method="post",
        kwargs=_alices_share,
        data=lambda cast: {"url": LINKEDIN_POST},
    ),
    Route("sharing:api_share_list", EMPLOYEE_API),
    Route(
        "sharing:api_share_create",
        expect(anonymous=403, employee=201),
        method="post",
        data=lambda cast: {"post": make_post().slug, "network": "x", "caption": CAPTION},
        content_type="application/json",
    ),
    Route(
        "sharing:api_share_published_url",
        OWNER_ONLY_API,
        method="post",
        kwargs=_alices_share,
        data=lambda cast: {"url": LINKEDIN_POST},
        content_type="application/json",
    ),
]
