import io

import pytest
from django.core.management import call_command

from leaderboard.demo import DEMO_VOID_REASON
from leaderboard.models import PointEvent, Standing

pytestmark = pytest.mark.django_db


def test_the_demo_fills_the_ledger_once_with_one_void_and_believable_boards():
    call_command("seed_demo", stdout=io.StringIO())
    events = PointEvent.objects.count()
    assert events > 100
    void = PointEvent.objects.get(kind=PointEvent.Kind.VOID)
    assert void.reason == DEMO_VOID_REASON and void.target.points == -void.points
    assert Standing.objects.filter(period="all", scope="everyone", unranked=False).count() >= 20
    assert Standing.objects.filter(period="week", scope="everyone").exists()
    call_command("seed_demo", stdout=io.StringIO())
    assert PointEvent.objects.count() == events
