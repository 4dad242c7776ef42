from tests.access import COMMS_PAGE, EMPLOYEE_API, EMPLOYEE_PAGE, Route, expect
from tests.content_library.factories import PostFactory

from .factories import make_banned_term, make_policy


def _policy(cast):
    return {"slug": make_policy(versions=2).slug}


def _policy_version(cast):
    return {"slug": make_policy(versions=2).slug, "number": 1}


def _policy_version_id(cast):
    return {"version": make_policy().versions.get().pk}


def _post(cast):
    return {"slug": PostFactory(slug="for-everyone").slug}


def _document(cast):
    return {"pk": make_policy().pk}


def _term(cast):
    return {"pk": make_banned_term().pk}


def _caption_check(cast):
    return {"post": PostFactory().pk, "network": "x", "caption": "Proud of the team #employee"}


COMMS_OR_HR_PAGE = expect(employee=403, comms=200, hr=200)

ROUTES = [
    Route("guidelines:portal", EMPLOYEE_PAGE),
    Route("guidelines:acknowledge", EMPLOYEE_PAGE),
    Route("guidelines:acknowledge", expect(employee=302), method="post", data=_policy_version_id),
    Route("guidelines:try_caption", EMPLOYEE_PAGE, kwargs=_post),
    Route("guidelines:history", EMPLOYEE_PAGE, kwargs=_policy),
    Route("guidelines:version", EMPLOYEE_PAGE, kwargs=_policy_version),
    Route("guidelines:diff", EMPLOYEE_PAGE, kwargs=_policy),
    Route("guidelines:acknowledgement_rates", COMMS_OR_HR_PAGE),
    Route(
        "guidelines:send_reminders",
        expect(employee=403, comms=302, hr=302),
        method="post",
        data=lambda cast: {},
    ),
    Route("guidelines:manage", COMMS_PAGE),
    Route("guidelines:document_create", COMMS_PAGE),
    Route("guidelines:document_edit", COMMS_PAGE, kwargs=_document),
    Route("guidelines:images", COMMS_PAGE),
    Route("guidelines:markdown_preview", COMMS_PAGE, method="post", data=lambda cast: {"body": "**Hi**"}),
    Route("guidelines:rules", COMMS_PAGE),
    Route("guidelines:banned_term_edit", COMMS_PAGE, kwargs=_term),
    Route("guidelines:contact_card", COMMS_PAGE),
    Route("guidelines:api_guidelines", EMPLOYEE_API),
    Route("guidelines:api_rules", EMPLOYEE_API),
    Route("guidelines:api_acknowledgement", EMPLOYEE_API),
    Route(
        "guidelines:api_acknowledgement",
        expect(anonymous=403, employee=201),
        method="post",
        data=lambda cast: {"version": _policy_version_id(cast)["version"]},
        content_type="application/json",
    ),
    Route(
        "guidelines:api_caption_check",
        expect(anonymous=403, employee=200),
        method="post",
        data=_caption_check,
        content_type="application/json",
    ),
    Route(
        "guidelines:api_caption_count",
        expect(anonymous=403, employee=200),
        method="post",
        data=lambda cast: {"captions": {"x": "Proud of the team"}},
        content_type="application/json",
    ),
]
