import pytest

from tests.content_library.factories import CampaignFactory, PostFactory

from .factories import make_banned_term, make_policy


@pytest.fixture
def policy(db):
    return make_policy()


@pytest.fixture
def banned(db):
    return make_banned_term()


@pytest.fixture
def post(db):
    """A live post with its own hashtag and a campaign hashtag, editable caption."""
    return PostFactory(
        slug="launch",
        suggested_caption="We launched the new app #Launch #Acme #employee",
        hashtags="#Launch",
        campaign=CampaignFactory(name="Spring", slug="spring", hashtag="#Acme"),
    )
