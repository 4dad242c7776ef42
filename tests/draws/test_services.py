from datetime import timedelta
from itertools import count

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from advocacy.people.models import User
from draws import engine, services
from draws.models import Draw, Entrant, RulesVersion, Winner
from draws.selectors import draw_verification, entry_weights
from draws.services import (
    PrizeSpec,
    draw_create,
    draw_freeze,
    draw_run,
    free_entry_request_create,
    rules_update,
    winner_redraw,
)
from guidelines.models import Acknowledgement, GuidelineDocument, GuidelineVersion
from sharing.models import Share
from tests.content_library.factories import CampaignFactory, PostFactory
from tests.factories import UserFactory

from .helpers import make_draw

pytestmark = pytest.mark.django_db
_codes = count()


def share(user, *, post=None, when=None):
    item = Share.objects.create(
        user=user,
        post=post or PostFactory(),
        network="mastodon",
        code=f"c{next(_codes)}",
        last_shared_at=timezone.now(),
    )
    if when is not None:
        Share.objects.filter(pk=item.pk).update(created_at=when)
    return item


def weights(draw) -> dict[str, int]:
    names = dict(User.objects.values_list("pk", "username"))
    return {names[w.user_id]: w.weight for w in entry_weights(draw=Draw.objects.get(pk=draw.pk))}


# --- rules ------------------------------------------------------------------------------------------


def test_rules_can_change_before_the_window_opens_and_every_version_is_kept(harper):
    draw = make_draw(state="upcoming")
    rules_update(draw=draw, text="Version two.", by=harper)
    assert list(RulesVersion.objects.filter(draw=draw).values_list("number", "text")) == [
        (2, "Version two."),
        (1, "Everyone may enter."),
    ]


def test_rules_are_locked_once_the_window_opens(harper):
    draw = make_draw(state="open")
    with pytest.raises(ValidationError, match="locked"):
        rules_update(draw=draw, text="Sneaky change.", by=harper)
    assert RulesVersion.objects.filter(draw=draw).count() == 1


# --- eligibility and weights -----------------------------------------------------------------------


def test_comms_hr_deactivated_and_excluded_people_do_not_enter(alice, bob, casey, harper, dan):
    draw = make_draw(state="closed", excluded_people=[bob])
    assert weights(draw) == {"alice": 1}


def test_excluded_roles_can_be_cleared(alice, casey, harper):
    draw = make_draw(state="closed", excluded_roles=[])
    assert weights(draw) == {"alice": 1, "casey": 1, "harper": 1}


def test_per_share_weighting_counts_shares_in_the_period_and_caps_them(alice, bob):
    draw = make_draw(state="closed", weighting=Draw.Weighting.PER_SHARE, weight_cap=3)
    for _ in range(5):
        share(alice)
    share(bob)
    share(bob, when=draw.period_start - timedelta(days=1))  # before the period: not counted
    assert weights(draw) == {"alice": 3, "bob": 1}


def test_a_campaign_draw_counts_only_that_campaigns_shares(alice, bob):
    campaign = CampaignFactory()
    draw = make_draw(state="closed", weighting=Draw.Weighting.PER_SHARE, campaign=campaign)
    share(alice, post=PostFactory(campaign=campaign))
    share(bob)
    assert weights(draw) == {"alice": 1}


def test_the_minimum_number_of_shares_is_required_unless_a_free_entry_was_requested(alice, bob, casey):
    draw = make_draw(state="open", minimum_shares=2, free_entry_enabled=True, weighting=Draw.Weighting.PER_SHARE)
    share(alice)
    share(alice)
    share(casey)  # excluded by role anyway
    free_entry_request_create(draw=draw, user=bob)
    assert weights(draw) == {"alice": 2, "bob": 1}


def test_free_entry_is_refused_when_the_draw_has_none_or_is_not_open(alice):
    with pytest.raises(ValidationError, match="no free entry"):
        free_entry_request_create(draw=make_draw(state="open"), user=alice)
    with pytest.raises(ValidationError, match="only accepted while"):
        free_entry_request_create(draw=make_draw(state="closed", free_entry_enabled=True), user=alice)


def test_people_who_have_not_acknowledged_the_current_policy_do_not_enter(alice, bob):
    policy = GuidelineDocument.objects.create(kind=GuidelineDocument.Kind.POLICY, title="Policy", slug="policy")
    version = GuidelineVersion.objects.create(document=policy, number=1, body="Be kind.", is_major=True)
    Acknowledgement.objects.create(user=alice, version=version, acknowledged_at=timezone.now())
    assert weights(make_draw(state="closed")) == {"alice": 1}
    assert weights(make_draw(state="closed", require_policy_acknowledgement=False)) == {"alice": 1, "bob": 1}


def test_points_weighting_uses_points_earned_in_the_period_capped_and_without_voided_events(alice, bob, casey, harper):
    from leaderboard.services import points_adjust, points_event_void

    now = timezone.now()
    points_adjust(user=alice, points=40, actor=harper, reason="Ran the launch stand")
    wrong = points_adjust(user=bob, points=900, actor=harper, reason="Typo")
    points_adjust(user=bob, points=7, actor=harper, reason="Helped at the booth")
    points_event_void(event=wrong, actor=harper, reason="Typo: meant 9")
    draw = make_draw(
        state="closed", weighting=Draw.Weighting.POINTS, weight_cap=30, require_policy_acknowledgement=False
    )
    assert weights(draw) == {"alice": 30, "bob": 7}
    outside = make_draw(
        state="closed",
        weighting=Draw.Weighting.POINTS,
        period_start=now + timedelta(days=1),
        period_end=now + timedelta(days=2),
        require_policy_acknowledgement=False,
    )
    assert weights(outside) == {}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"prizes": []}, "prizes"),
        ({"prizes": [PrizeSpec("", 1)]}, "prizes"),
        ({"prizes": [PrizeSpec("Mug", 0)]}, "prizes"),
        ({"rules_text": "  "}, "rules_text"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"excluded_roles": ["Janitor"]}, "excluded_roles"),
        ({"max_prizes_per_person": 0}, "max_prizes_per_person"),
    ],
)
def test_draw_create_explains_bad_input(overrides, field):
    with pytest.raises(ValidationError) as error:
        make_draw(**overrides)
    assert field in error.value.message_dict
    assert not Draw.objects.exists()


def test_the_window_must_close_after_it_opens():
    now = timezone.now()
    with pytest.raises(ValidationError, match="close after"):
        draw_create(
            name="Backwards",
            prizes=[PrizeSpec("Mug")],
            opens_at=now,
            closes_at=now,
            period_start=now - timedelta(days=1),
            period_end=now,
            rules_text="Rules.",
            created_by=None,
        )


# --- freezing ---------------------------------------------------------------------------------------


def test_freezing_commits_to_the_list_and_a_secret_seed(alice, bob):
    draw = draw_freeze(draw=make_draw(state="closed"))
    assert draw.entrant_count == 2 and draw.total_weight == 2
    assert draw.list_sha256 == engine.sha256_hex(draw.list_text.encode())
    # Stored sealed: the database alone does not give the seed away before the draw.
    assert draw.seed_sha256 != engine.sha256_hex(bytes.fromhex(draw.seed_hex))
    assert draw.seed_revealed == ""
    entrant = Entrant.objects.get(draw=draw, user=alice)
    key = bytes.fromhex(draw.entrant_key_hex)
    assert entrant.entrant_id == engine.entrant_id_for(entrant_key=key, draw_id=str(draw.pk), person_id=alice.pk)
    assert f"{entrant.entrant_id} 1\n" in draw.list_text
    # Nothing but pseudonyms and weights: no names, no user ids.
    assert sorted(draw.list_text.splitlines()[1:]) == sorted(
        f"{e.entrant_id} 1" for e in Entrant.objects.filter(draw=draw)
    )


def test_freezing_twice_changes_nothing(alice):
    draw = draw_freeze(draw=make_draw(state="closed"))
    again = draw_freeze(draw=draw)
    assert (again.list_sha256, again.seed_sha256) == (draw.list_sha256, draw.seed_sha256)
    assert Entrant.objects.filter(draw=draw).count() == 1


def test_a_draw_cannot_be_frozen_while_entries_are_open(alice):
    with pytest.raises(ValidationError, match="not closed"):
        draw_freeze(draw=make_draw(state="open"))


# --- drawing and redraws ----------------------------------------------------------------------------


@pytest.fixture
def crowd(db):
    return [UserFactory(username=f"entrant{i}") for i in range(12)]


def test_drawing_reveals_the_seed_picks_distinct_winners_and_verifies(crowd):
    draw = make_draw(state="drawn")
    winners = Winner.objects.filter(draw=draw)
    assert winners.count() == 3
    assert len({w.entrant_id for w in winners}) == 3
    assert sorted(w.position for w in winners) == [0, 1, 2]
    assert draw.seed_revealed == draw.seed_hex
    assert draw.seed_sha256 == engine.sha256_hex(bytes.fromhex(draw.seed_hex))
    assert draw_verification(draw=draw).ok


def test_a_new_secret_key_cannot_open_the_seed_until_the_old_one_is_a_fallback(crowd, settings):
    draw = draw_freeze(draw=make_draw(state="closed"))
    key_at_freeze = settings.SECRET_KEY
    settings.SECRET_KEY = "a-rotated-key-" + "x" * 50
    with pytest.raises(ValidationError, match="SECRET_KEY_FALLBACKS"):
        draw_run(draw=draw, by=None)
    draw.refresh_from_db()
    assert not draw.is_drawn and not Winner.objects.filter(draw=draw).exists()
    settings.SECRET_KEY_FALLBACKS = [key_at_freeze]
    drawn = draw_run(draw=draw, by=None)
    assert drawn.is_drawn and draw_verification(draw=drawn).ok


def test_a_draw_frozen_before_seeds_were_sealed_still_draws(crowd, settings):
    draw = draw_freeze(draw=make_draw(state="closed"))
    seed = services._sealed(bytes.fromhex(draw.seed_hex), draw=draw, secret=settings.SECRET_KEY)
    Draw.objects.filter(pk=draw.pk).update(seed_hex=seed.hex())
    drawn = draw_run(draw=Draw.objects.get(pk=draw.pk), by=None)
    assert drawn.seed_hex == seed.hex() and draw_verification(draw=drawn).ok


def test_winners_are_emailed_once_after_the_commit(crowd, run_tasks_eagerly, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draw = make_draw(state="drawn")
    assert len(mail.outbox) == 3
    assert all(draw.name in message.subject for message in mail.outbox)
    from draws.tasks import notify_winner

    notify_winner(Winner.objects.filter(draw=draw).first().pk)
    assert len(mail.outbox) == 3


def test_a_draw_with_a_public_value_needs_it(crowd):
    draw = make_draw(state="frozen", public_randomness_source="drand round 99")
    with pytest.raises(ValidationError, match="drand round 99"):
        draw_run(draw=draw, by=None)
    draw = draw_run(draw=draw, by=None, public_value="abc123")
    assert draw.public_randomness_value == "abc123"
    assert draw_verification(draw=draw).ok


def test_a_draw_runs_once(crowd):
    draw = make_draw(state="drawn")
    with pytest.raises(ValidationError, match="already"):
        draw_run(draw=draw, by=None)


def test_a_redraw_gives_the_prize_to_the_next_in_order_and_logs_the_reason(crowd, harper):
    draw = make_draw(state="drawn")
    first = Winner.objects.get(draw=draw, slot=0)
    (replacement,) = winner_redraw(winner=first, status=Winner.Status.DECLINED, reason="Said no thanks.", by=harper)
    assert (replacement.slot, replacement.position, replacement.prize_id) == (0, 3, first.prize_id)
    first.refresh_from_db()
    assert (first.status, first.removal_reason, first.removed_by, first.removal_number) == (
        "declined",
        "Said no thanks.",
        harper,
        1,
    )
    (second,) = winner_redraw(
        winner=Winner.objects.get(draw=draw, slot=2), status=Winner.Status.INELIGIBLE, reason="Left", by=harper
    )
    assert second.position == 4
    assert draw_verification(draw=draw).ok


def test_a_replaced_winner_cannot_be_redrawn_again_and_a_reason_is_required(crowd, harper):
    draw = make_draw(state="drawn")
    first = Winner.objects.get(draw=draw, slot=0)
    with pytest.raises(ValidationError, match="reason"):
        winner_redraw(winner=first, status=Winner.Status.DECLINED, reason=" ", by=harper)
    winner_redraw(winner=first, status=Winner.Status.DECLINED, reason="No", by=harper)
    with pytest.raises(ValidationError, match="already been replaced"):
        winner_redraw(winner=first, status=Winner.Status.DECLINED, reason="No", by=harper)


def test_a_tampered_winner_in_the_database_fails_verification(crowd):
    draw = make_draw(state="drawn")
    loser = Entrant.objects.filter(draw=draw).exclude(wins__isnull=False).first()
    Winner.objects.filter(draw=draw, slot=0).update(entrant=loser)
    assert not draw_verification(draw=draw).ok


def test_a_draw_with_more_prizes_than_entrants_leaves_the_rest_unawarded(alice):
    draw = make_draw(state="drawn")
    assert list(Winner.objects.filter(draw=draw).values_list("entrant__user__username", flat=True)) == ["alice"]
    assert draw_verification(draw=draw).ok


def test_when_a_person_may_win_twice_a_redraw_takes_back_both_prizes(harper):
    UserFactory(username="only-one")
    UserFactory(username="only-two")
    draw = make_draw(state="drawn", max_prizes_per_person=2, prizes=[PrizeSpec("Voucher", 3)])
    held = Winner.objects.filter(draw=draw, status=Winner.Status.WON)
    assert held.count() == 3
    counts = {}
    for winner in held:
        counts[winner.entrant_id] = counts.get(winner.entrant_id, 0) + 1
    double = next(entrant_id for entrant_id, n in counts.items() if n == 2)
    winner_redraw(
        winner=held.filter(entrant_id=double).first(), status=Winner.Status.INELIGIBLE, reason="Left", by=harper
    )
    current = Winner.objects.filter(draw=draw, status=Winner.Status.WON)
    assert not current.filter(entrant_id=double).exists()
    assert current.count() == 2  # the other person's two lanes; nobody else is left
    assert draw_verification(draw=draw).ok


def test_a_draw_nobody_entered_draws_no_winners_and_still_verifies():
    draw = make_draw(state="drawn")
    assert draw.entrant_count == 0 and not Winner.objects.filter(draw=draw).exists()
    assert draw_verification(draw=draw).ok


def test_drawing_a_draw_nobody_entered_needs_the_explicit_confirmation(db):
    draw = draw_freeze(draw=make_draw(state="closed", minimum_shares=1))
    with pytest.raises(ValidationError, match="0 entrants"):
        draw_run(draw=draw, by=None)
    assert not Draw.objects.get(pk=draw.pk).is_drawn
    assert draw_run(draw=draw, by=None, confirm_no_entrants=True).is_drawn
