import pytest

from draws.models import Draw, Entrant
from draws.tasks import freeze_due_draws
from tests.factories import UserFactory

from .helpers import make_draw

pytestmark = pytest.mark.django_db


def test_it_freezes_closed_draws_once_and_leaves_open_ones(alice):
    closed, still_open = make_draw(state="closed"), make_draw(state="open")
    freeze_due_draws()
    closed.refresh_from_db()
    assert closed.is_frozen and not Draw.objects.get(pk=still_open.pk).is_frozen
    commitment = (closed.list_sha256, closed.seed_sha256)
    UserFactory(username="latecomer")
    freeze_due_draws()
    closed.refresh_from_db()
    assert (closed.list_sha256, closed.seed_sha256) == commitment
    assert Entrant.objects.filter(draw=closed).count() == 1
