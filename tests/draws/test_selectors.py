import pytest

from draws.models import Draw, FreeEntryRequest
from draws.selectors import entry_weights, post_enters_open_draw
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


@pytest.mark.parametrize("free_entry", [False, True])
def test_entry_weights_read_free_entry_requests_only_when_free_entry_is_on(
    alice, bob, free_entry, django_assert_num_queries
):
    draw = make_draw(free_entry_enabled=free_entry, minimum_shares=1, require_policy_acknowledgement=False)
    FreeEntryRequest.objects.create(draw=draw, user=alice)
    draw = Draw.objects.get(pk=draw.pk)
    # The eligible people with their share counts; then, only with free entry on, the requests.
    with django_assert_num_queries(2 if free_entry else 1):
        weights = entry_weights(draw=draw)
    assert [(w.user_id, w.free_entry) for w in weights] == ([(alice.pk, True)] if free_entry else [])
