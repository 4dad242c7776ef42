from draws.models import Winner
from tests.access import EMPLOYEE_PAGE, HR_PAGE, Route, expect

from .helpers import make_draw

EMPLOYEE_POST = expect(employee=302)
HR_POST = expect(employee=403, hr=302)


def _drawn(cast):
    return {"pk": make_draw(state="drawn").pk}


def _winner(cast):
    draw = make_draw(state="drawn")
    return {"pk": draw.pk, "winner_pk": Winner.objects.filter(draw=draw).first().pk}


ROUTES = [
    Route("draws:list", EMPLOYEE_PAGE),
    Route("draws:detail", EMPLOYEE_PAGE, kwargs=_drawn),
    Route(
        "draws:free_entry",
        EMPLOYEE_POST,
        method="post",
        data=lambda cast: {},
        kwargs=lambda cast: {"pk": make_draw(state="open", free_entry_enabled=True).pk},
    ),
    Route("draws:verify", EMPLOYEE_PAGE, kwargs=_drawn),
    Route("draws:download_list", EMPLOYEE_PAGE, kwargs=lambda cast: {"pk": make_draw(state="frozen").pk}),
    Route("draws:download_record", EMPLOYEE_PAGE, kwargs=_drawn),
    Route("draws:manage_list", HR_PAGE),
    Route("draws:manage_create", HR_PAGE),
    Route("draws:manage_detail", HR_PAGE, kwargs=_drawn),
    Route(
        "draws:manage_rules",
        HR_POST,
        method="post",
        data=lambda cast: {"text": "New rules."},
        kwargs=lambda cast: {"pk": make_draw(state="upcoming").pk},
    ),
    Route(
        "draws:manage_freeze",
        HR_POST,
        method="post",
        data=lambda cast: {},
        kwargs=lambda cast: {"pk": make_draw(state="open").pk},
    ),
    Route(
        "draws:manage_run",
        HR_POST,
        method="post",
        data=lambda cast: {},
        kwargs=lambda cast: {"pk": make_draw(state="frozen").pk},
    ),
    Route(
        "draws:manage_redraw",
        HR_POST,
        method="post",
        data=lambda cast: {"status": "declined", "reason": "Said no thanks."},
        kwargs=_winner,
    ),
    Route("draws:manage_export", HR_PAGE, kwargs=_drawn),
]
