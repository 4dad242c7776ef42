from challenges.services import entry_create, entry_promotion_ask
from tests.access import COMMS_PAGE, EMPLOYEE_PAGE, Route, expect

from .conftest import GOOD_CAPTION, make_challenge


def _challenge(cast):
    return {"slug": make_challenge(cast["comms"]).slug}


def _draft(cast):
    return {"slug": make_challenge(cast["comms"], open_it=False).slug}


def _entry(cast):
    challenge = make_challenge(cast["comms"])
    entry = entry_create(challenge=challenge, author=cast["employee"], caption=GOOD_CAPTION, network="linkedin")
    entry_promotion_ask(entry=entry, actor=cast["comms"])
    return entry


def _own_entry(cast):
    return {"entry_id": _entry(cast).pk}


def _managed_entry(cast):
    entry = _entry(cast)
    return {"slug": entry.challenge.slug, "entry_id": entry.pk}


COMMS_REDIRECT = expect(employee=403, comms=302)
# Only alice, the author, answers for her entry; everyone else is told it does not exist.
AUTHOR_ONLY = expect(employee=302, other_employee=404, comms=404, hr=404)

ROUTES = [
    Route("challenges:list", EMPLOYEE_PAGE),
    Route("challenges:my_entries", EMPLOYEE_PAGE),
    Route("challenges:detail", EMPLOYEE_PAGE, kwargs=_challenge),
    Route("challenges:detail", expect(employee=404), kwargs=_draft),
    Route("challenges:enter", expect(employee=302), kwargs=_challenge),
    Route("challenges:enter", expect(employee=400), method="post", kwargs=_challenge, data=dict),
    Route(
        "challenges:entry_consent",
        AUTHOR_ONLY,
        method="post",
        kwargs=_own_entry,
        data=lambda cast: {"consent": "yes"},
    ),
    Route("challenges:manage_list", COMMS_PAGE),
    Route("challenges:manage_list", expect(employee=403, comms=400), method="post", data=lambda cast: {"title": "x"}),
    Route("challenges:manage_detail", COMMS_PAGE, kwargs=_draft),
    Route(
        "challenges:manage_status", COMMS_REDIRECT, method="post", kwargs=_draft, data=lambda cast: {"action": "open"}
    ),
    Route("challenges:manage_ask", COMMS_REDIRECT, method="post", kwargs=_managed_entry, data=dict),
    Route("challenges:manage_promote", COMMS_REDIRECT, method="post", kwargs=_managed_entry, data=dict),
]
