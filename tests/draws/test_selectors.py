import pytest

from draws.models import Draw
from draws.selectors import post_enters_open_draw
from tests.content_library.factories import CampaignFactory, PostFactory

from .helpers import make_draw

pytestmark = pytest.mark.django_db


def test_a_share_enters_a_draw_only_when_an_open_draw_counts_shares_for_its_campaign():
    campaign, other = CampaignFactory(), CampaignFactory()
    post, other_post, plain_post = PostFactory(campaign=campaign), PostFactory(campaign=other), PostFactory()
    assert not post_enters_open_draw(post=post)
    make_draw(state="open")  # one entry per person, no minimum: sharing changes nothing
    make_draw(state="closed", weighting=Draw.Weighting.PER_SHARE)
    assert not post_enters_open_draw(post=post)
    make_draw(state="open", weighting=Draw.Weighting.PER_SHARE, campaign=campaign)
    assert post_enters_open_draw(post=post)
    assert not post_enters_open_draw(post=other_post) and not post_enters_open_draw(post=plain_post)
    make_draw(state="open", minimum_shares=1)
    assert post_enters_open_draw(post=other_post) and post_enters_open_draw(post=plain_post)
