from datetime import timedelta

import pytest
from django.utils import timezone

from challenges.services import challenge_create, challenge_open


def make_challenge(casey, *, title="Launch week", hashtag="#LaunchWeek", open_it=True, days_before=1, days_after=6):
    today = timezone.localdate()
    challenge = challenge_create(
        actor=casey,
        title=title,
        prompt="Share your favourite feature of the new release.",
        hashtag=hashtag,
        starts_on=today - timedelta(days=days_before),
        ends_on=today + timedelta(days=days_after),
    )
    return challenge_open(challenge=challenge, actor=casey) if open_it else challenge


@pytest.fixture
def challenge(casey):
    return make_challenge(casey)


@pytest.fixture(autouse=True)
def _clicks_in_the_database(settings):
    from sharing import clickstream

    settings.REDIS_URL = ""
    clickstream.reset_state()
    yield
    clickstream.reset_state()


GOOD_CAPTION = "The offline mode saved my commute. #LaunchWeek #employee"
