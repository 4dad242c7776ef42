from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from programme.models import Goal
from programme.services import goal_create, goal_update

pytestmark = pytest.mark.django_db


def test_it_refuses_a_goal_that_ends_before_it_starts(casey):
    with pytest.raises(ValidationError) as error:
        goal_create(
            name="Backwards",
            measure="shares",
            target=Decimal(5),
            start=date(2026, 3, 9),
            end=date(2026, 3, 1),
            created_by=casey,
        )
    assert error.value.message_dict == {"end": ["The end date must be on or after the start date."]}
    assert not Goal.objects.exists()


def test_it_refuses_an_adoption_rate_above_100_percent_and_keeps_the_old_target(casey):
    goal = goal_create(
        name="Adoption",
        measure="adoption_rate",
        target=Decimal(60),
        start=date(2026, 1, 1),
        end=date(2026, 3, 31),
        created_by=casey,
    )
    with pytest.raises(ValidationError):
        goal_update(goal=goal, target=Decimal(140))
    goal.refresh_from_db()
    assert goal.target == 60
