"""Building draws in any state for tests (the access matrix and the app's own tests share these)."""

from datetime import timedelta

from django.utils import timezone

from draws.models import Draw
from draws.services import PrizeSpec, draw_create, draw_freeze, draw_run

DEFAULT_PRIZES = (PrizeSpec("Headphones"), PrizeSpec("Voucher", 2))


def make_draw(*, state: str = "open", prizes=DEFAULT_PRIZES, **overrides) -> Draw:
    """A draw that is 'upcoming', 'open', 'closed', 'frozen' or 'drawn' right now."""
    now = timezone.now()
    opens, closes = {
        "upcoming": (now + timedelta(days=1), now + timedelta(days=10)),
        "open": (now - timedelta(days=1), now + timedelta(days=10)),
    }.get(state, (now - timedelta(days=10), now - timedelta(hours=1)))
    fields = {
        "name": f"A {state} draw",
        "prizes": list(prizes),
        "opens_at": opens,
        "closes_at": closes,
        "period_start": opens - timedelta(days=30),
        "period_end": closes + timedelta(hours=2),  # covers shares made "now" in closed draws
        "rules_text": "Everyone may enter.",
        "created_by": None,
        **overrides,
    }
    draw = draw_create(**fields)
    if state in ("frozen", "drawn"):
        draw = draw_freeze(draw=draw)
    if state == "drawn":
        public_value = "round 1" if draw.public_randomness_source else ""
        draw = draw_run(draw=draw, by=None, public_value=public_value, confirm_no_entrants=True)
    return draw
