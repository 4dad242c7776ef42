"""Who a click is from: bots by their user agent, visitors and addresses by keyed hashes."""

from datetime import date

import pytest

from sharing.visitors import _is_bot_user_agent, address_hash_for, visitor_hash_for

from .user_agents import HUMAN_USER_AGENTS, LINK_PREVIEW_USER_AGENTS


def test_the_list_of_real_fetchers_is_long_enough_to_mean_something():
    assert len(set(LINK_PREVIEW_USER_AGENTS)) >= 40


@pytest.mark.parametrize("user_agent", LINK_PREVIEW_USER_AGENTS)
def test_it_knows_link_preview_fetchers_crawlers_and_tools(user_agent):
    assert _is_bot_user_agent(user_agent)


@pytest.mark.parametrize("user_agent", HUMAN_USER_AGENTS)
def test_it_takes_browsers_and_in_app_browsers_for_people(user_agent):
    assert not _is_bot_user_agent(user_agent)


@pytest.mark.parametrize("user_agent", ["", "   "])
def test_an_empty_user_agent_is_a_bot(user_agent):
    assert _is_bot_user_agent(user_agent)


class TestAddressHash:
    day = date(2026, 12, 1)

    def test_it_is_the_same_whatever_the_browser_says(self):
        first = visitor_hash_for(address="203.0.113.7", user_agent="Chrome/130", day=self.day)
        second = visitor_hash_for(address="203.0.113.7", user_agent="Chrome/131", day=self.day)
        assert first != second
        assert address_hash_for(address="203.0.113.7", day=self.day) == address_hash_for(
            address="203.0.113.7", day=self.day
        )

    def test_it_never_contains_the_address_and_changes_every_day(self):
        today = address_hash_for(address="203.0.113.7", day=self.day)
        assert "203.0.113.7" not in today
        assert today != address_hash_for(address="203.0.113.7", day=date(2026, 12, 2))
        assert today != address_hash_for(address="203.0.113.8", day=self.day)

    def test_one_ipv6_network_is_one_address(self):
        one = address_hash_for(address="2001:db8:1:2::1", day=self.day)
        assert one == address_hash_for(address="2001:db8:1:2:ffff:0:0:99", day=self.day)
        assert one != address_hash_for(address="2001:db8:1:3::1", day=self.day)
