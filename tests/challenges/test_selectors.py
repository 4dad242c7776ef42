from datetime import timedelta

import pytest
from django.utils import timezone

from challenges.selectors import challenge_board, draws_for_challenge
from challenges.services import entry_create
from draws.models import Draw
from draws.selectors import qualifying_shares
from sharing.models import Click, Share
from tests.challenges.conftest import GOOD_CAPTION, make_challenge
from tests.sharing.conftest import HUMAN_UA, OTHER_HUMAN_UA

pytestmark = pytest.mark.django_db


def _click(client, code, *, ua=HUMAN_UA, ip="203.0.113.7"):
    return client.get(f"/s/{code}", HTTP_USER_AGENT=ua, REMOTE_ADDR=ip)


class TestBoard:
    def test_it_ranks_by_entries_and_human_clicks_and_explains_the_score(self, settings, client, alice, bob, challenge):
        settings.CHALLENGE_ENTRY_POINTS = 10
        entry_create(challenge=challenge, author=alice, caption=GOOD_CAPTION, network="linkedin")
        bobs = entry_create(challenge=challenge, author=bob, caption=GOOD_CAPTION, network="linkedin")
        entry_create(challenge=challenge, author=bob, caption=GOOD_CAPTION, network="x")
        code = bobs.share.code
        assert _click(client, code).status_code in (200, 302)
        _click(client, code, ua=OTHER_HUMAN_UA, ip="198.51.100.2")
        _click(client, code)  # a repeat within 24 hours: not counted
        _click(client, code, ua="Twitterbot/1.0", ip="198.51.100.9")  # a bot: not counted
        assert Click.objects.filter(share__code=code, kind=Click.Kind.HUMAN).count() == 2
        board = challenge_board(challenge=challenge)
        assert [(row.name, row.entries, row.human_clicks, row.score, row.rank) for row in board] == [
            ("Bob Baker", 2, 2, 22, 1),
            ("Alice Archer", 1, 0, 10, 2),
        ]

    def test_equal_scores_share_a_rank_and_deactivated_people_are_left_off(self, alice, bob, dan, challenge):
        entry_create(challenge=challenge, author=alice, caption=GOOD_CAPTION, network="linkedin")
        entry_create(challenge=challenge, author=bob, caption=GOOD_CAPTION, network="linkedin")
        dan.is_active = True
        dan.save()
        entry_create(challenge=challenge, author=dan, caption=GOOD_CAPTION, network="linkedin")
        dan.is_active = False
        dan.save()
        board = challenge_board(challenge=challenge)
        assert [row.rank for row in board] == [1, 1]
        assert {row.name for row in board} == {"Alice Archer", "Bob Baker"}

    def test_it_is_one_query(self, alice, bob, challenge, django_assert_num_queries):
        for author in (alice, bob):
            entry_create(challenge=challenge, author=author, caption=GOOD_CAPTION, network="linkedin")
        with django_assert_num_queries(1):
            challenge_board(challenge=challenge)

    def test_other_challenges_do_not_count(self, casey, alice, challenge):
        other = make_challenge(casey, title="Other", hashtag="#Other")
        entry_create(challenge=other, author=alice, caption="Mine #Other #employee", network="linkedin")
        assert challenge_board(challenge=challenge) == []


class TestDraws:
    def _draw(self, *, campaign=None):
        now = timezone.now()
        return Draw.objects.create(
            name="Launch draw",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=7),
            period_start=now - timedelta(days=1),
            period_end=now + timedelta(days=7),
            campaign=campaign,
        )

    def test_an_entrys_share_qualifies_for_a_draw_on_the_challenges_campaign(self, casey, alice, challenge):
        draw = self._draw(campaign=challenge.campaign)
        unrelated = self._draw(campaign=make_challenge(casey, title="Other", hashtag="#Other").campaign)
        # A per-person draw does not change the disclosure, so the usual caption stands.
        entry = entry_create(challenge=challenge, author=alice, caption=GOOD_CAPTION, network="linkedin")
        assert list(qualifying_shares(draw=draw)) == [Share.objects.get(pk=entry.share_id)]
        assert not qualifying_shares(draw=unrelated).exists()
        assert list(draws_for_challenge(challenge=challenge)) == [draw]

    def test_a_draw_that_depends_on_shares_asks_for_the_draw_disclosure(self, alice, challenge):
        from sharing.services import ShareRefused

        draw = self._draw(campaign=challenge.campaign)
        draw.minimum_shares = 1
        draw.save()
        with pytest.raises(ShareRefused) as caught:
            entry_create(challenge=challenge, author=alice, caption=GOOD_CAPTION, network="linkedin")
        assert any("#ad" in problem for problem in caught.value.problems)
        entry_create(challenge=challenge, author=alice, caption="Offline mode! #LaunchWeek #ad", network="linkedin")
