"""The tracked link against a script rotating user agents from one address (issue 14).

Every test runs twice: clicks written straight to the database, and through Redis and the drain.
"""

from collections import Counter

import pytest

from sharing.models import Click
from sharing.services import clicks_drain

from .conftest import make_share

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36"
)


@pytest.fixture(params=["database", "redis"])
def through(request):
    if request.param == "redis":
        request.getfixturevalue("with_redis")
    return request.param


def _kinds(share):
    clicks_drain()
    share.refresh_from_db()
    return Counter(Click.objects.filter(share=share).values_list("kind", flat=True))


@pytest.mark.django_db
class TestOneAddress:
    def test_thirty_chrome_versions_from_one_address_count_as_a_few_people(self, through, share, click, settings):
        assert settings.SHARE_CLICKS_PER_ADDRESS == 5
        for version in range(100, 130):
            assert click(share.code, ua=CHROME.format(v=version)).status_code == 302
        assert _kinds(share) == {"human": 5, "address": 25}
        assert share.human_clicks == 5

    def test_the_limit_is_per_link_and_per_address(self, through, share, click, settings, alice, post):
        settings.SHARE_CLICKS_PER_ADDRESS = 2
        other = make_share(user=alice, post=post, network="x", code="Other0002")
        for version in range(100, 104):
            click(share.code, ua=CHROME.format(v=version))
            click(other.code, ua=CHROME.format(v=version))
            click(share.code, ua=CHROME.format(v=version), ip="198.51.100.30")
        assert _kinds(share) == {"human": 4, "address": 4}
        assert _kinds(other) == {"human": 2, "address": 2}

    def test_a_visitor_over_the_limit_who_comes_back_is_still_not_counted(self, through, share, click, settings):
        settings.SHARE_CLICKS_PER_ADDRESS = 1
        click(share.code, ua=CHROME.format(v=100))
        click(share.code, ua=CHROME.format(v=101))
        click(share.code, ua=CHROME.format(v=101))
        assert _kinds(share) == {"human": 1, "address": 2}

    def test_too_many_requests_from_one_address_get_429_whatever_the_browser(self, through, share, click, settings):
        settings.SHARE_REDIRECT_ADDRESS_RATE_LIMIT = 10
        statuses = [click(share.code, ua=CHROME.format(v=version)).status_code for version in range(100, 111)]
        assert statuses == [302] * 10 + [429]
        limited = click(share.code, ua=CHROME.format(v=200))
        assert 1 <= int(limited["Retry-After"]) <= 60
        assert click(share.code, ua=CHROME.format(v=200), ip="198.51.100.31").status_code == 302
