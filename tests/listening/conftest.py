import pytest

from listening.models import Term
from tests.metrics.conftest import serving

from .fake_networks import FakeListening


@pytest.fixture
def fake_networks(settings):
    with serving() as api:
        networks = FakeListening(api)
        networks.configure(settings)
        yield networks


def make_term(casey, value="#LaunchWeek", kind=Term.Kind.HASHTAG):
    from listening.services import term_add

    return term_add(actor=casey, kind=kind, value=value)


@pytest.fixture
def launch_week(casey):
    return make_term(casey)
