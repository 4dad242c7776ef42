import pytest

from draws.models import Draw
from draws.selectors import post_enters_open_draw
from guidelines import registry
from guidelines.selectors import post_enters_reward_draw
from tests.content_library.factories import PostFactory
from tests.draws.helpers import make_draw

pytestmark = pytest.mark.django_db


def test_the_draws_app_registers_its_reward_draw_check():
    assert post_enters_open_draw in registry.reward_draw_checks()


def test_without_a_registered_check_no_post_enters_a_draw(monkeypatch, django_assert_num_queries):
    post = PostFactory()
    make_draw(state="open", weighting=Draw.Weighting.PER_SHARE)
    assert post_enters_reward_draw(post) is True
    monkeypatch.setattr(registry, "_reward_draw_checks", [])
    with django_assert_num_queries(0):
        assert post_enters_reward_draw(post) is False


def test_registering_a_check_twice_keeps_one(monkeypatch):
    monkeypatch.setattr(registry, "_reward_draw_checks", [])
    registry.register_reward_draw_check(post_enters_open_draw)
    registry.register_reward_draw_check(post_enters_open_draw)
    assert registry.reward_draw_checks() == (post_enters_open_draw,)
