import pytest

from tests.analytics.conftest import START, build_program


@pytest.fixture
def program(db):
    """Teams of 6, 7 and 3 people; everyone but each team's first person shares 4 times over 10 days from START."""
    return build_program()


@pytest.fixture
def march_2(program):
    return START.date()
