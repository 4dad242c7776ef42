import hashlib
import math
import random

import pytest

from draws import engine
from draws.engine import DrawError, Entrant

DRAW = "42"
PUBLIC = "drand quicknet round 12345678: 3f2a9c0e"


def seed_for(label) -> bytes:
    return hashlib.sha256(f"test-seed-{label}".encode()).digest()


def frozen(entrants, *, draw_id=DRAW, seed_label=0):
    return engine.freeze(draw_id=draw_id, entrants=entrants, seed=seed_for(seed_label))


def order_ids(frozen_draw, *, public_value=PUBLIC, lanes=1):
    _, order = engine.draw_order(
        draw_id=frozen_draw.draw_id,
        list_bytes=frozen_draw.list_bytes,
        seed=frozen_draw.seed,
        public_value=public_value,
        lanes=lanes,
    )
    return [lane.entrant_id for lane in order]


def published(frozen_draw, *, prize_count=3, public_value=PUBLIC, removals=()):
    """Everything a draw publishes, as keyword arguments for engine.verify."""
    mix, order = engine.draw_order(
        draw_id=frozen_draw.draw_id, list_bytes=frozen_draw.list_bytes, seed=frozen_draw.seed, public_value=public_value
    )
    assignments = engine.assign_prizes(order, prize_count=prize_count, removals=removals)
    return {
        "draw_id": frozen_draw.draw_id,
        "list_bytes": frozen_draw.list_bytes,
        "list_sha256": frozen_draw.list_sha256,
        "seed": frozen_draw.seed,
        "seed_sha256": frozen_draw.seed_sha256,
        "public_value": public_value,
        "mix": mix.hex(),
        "prize_count": prize_count,
        "removals": list(removals),
        "winners": [a.entrant_id for a in assignments],
    }


def chi_square(observed: dict, expected: dict) -> float:
    return sum((observed.get(key, 0) - expected[key]) ** 2 / expected[key] for key in expected)


# Upper 0.1% point of the chi-square distribution with 4 degrees of freedom.
CHI2_4_DF_999 = 18.467

SMALL = [Entrant(f"e{i:02d}", weight) for i, weight in enumerate([3, 1, 4, 1, 5, 9, 2, 6])]


# --- ids and the canonical list --------------------------------------------------------------------


def test_entrant_ids_are_stable_pseudonyms_that_depend_on_the_secret_key_and_the_draw():
    key = b"k" * 32
    first = engine.entrant_id_for(entrant_key=key, draw_id="1", person_id=7)
    assert first == engine.entrant_id_for(entrant_key=key, draw_id="1", person_id=7)
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != engine.entrant_id_for(entrant_key=b"j" * 32, draw_id="1", person_id=7)
    assert first != engine.entrant_id_for(entrant_key=key, draw_id="2", person_id=7)
    assert first != engine.entrant_id_for(entrant_key=key, draw_id="1", person_id=8)
    assert engine.entrant_ids_for(entrant_key=key, draw_id="1", person_ids=[7, 8]) == {
        7: first,
        8: engine.entrant_id_for(entrant_key=key, draw_id="1", person_id=8),
    }


def test_the_list_is_sorted_one_line_per_entrant_with_a_header_and_a_trailing_newline():
    data = engine.canonical_list(draw_id="9", entrants=[("b", 2), ("a", 10), ("C", 1)])
    assert data == b"advocacy-draw-entrants v1 9\nC 1\na 10\nb 2\n"
    assert engine.parse_list(data) == ("9", [Entrant("C", 1), Entrant("a", 10), Entrant("b", 2)])


def test_the_list_does_not_depend_on_input_order():
    shuffled = SMALL[:]
    random.Random(1).shuffle(shuffled)
    assert frozen(shuffled).list_sha256 == frozen(SMALL).list_sha256


def test_an_empty_list_is_valid_and_draws_nobody():
    empty = frozen([])
    assert empty.list_bytes == b"advocacy-draw-entrants v1 42\n"
    _, assignments = engine.run(draw_id=DRAW, list_bytes=empty.list_bytes, seed=empty.seed, prize_count=2)
    assert [a.entrant_id for a in assignments] == [None, None]


@pytest.mark.parametrize("weight", [0, -1, -(10**20), 1.5, True, "3", 10**18 + 1])
def test_it_rejects_weights_that_are_not_whole_numbers_from_one_to_ten_to_the_eighteen(weight):
    with pytest.raises(DrawError, match="weight"):
        engine.canonical_list(draw_id=DRAW, entrants=[("a", weight)])


def test_it_rejects_duplicate_entrant_ids():
    with pytest.raises(DrawError, match="appears twice"):
        engine.canonical_list(draw_id=DRAW, entrants=[("a", 1), ("b", 1), ("a", 2)])


@pytest.mark.parametrize("bad_id", ["", "has space", "tab\t", "é", "x" * 65, "new\nline"])
def test_it_rejects_entrant_ids_outside_the_documented_alphabet(bad_id):
    with pytest.raises(DrawError, match="entrant id"):
        engine.canonical_list(draw_id=DRAW, entrants=[(bad_id, 1)])


@pytest.mark.parametrize(
    "data",
    [
        b"advocacy-draw-entrants v1 42\nb 1\na 1\n",  # unsorted
        b"advocacy-draw-entrants v1 42\na 1\na 2\n",  # duplicate
        b"advocacy-draw-entrants v1 42\na 01\n",  # leading zero
        b"advocacy-draw-entrants v1 42\na 0\n",  # zero weight
        b"advocacy-draw-entrants v1 42\na 1",  # no trailing newline
        b"advocacy-draw-entrants v1 42\r\na 1\r\n",  # CRLF
        b"advocacy-draw-entrants v1 42\na  1\n",  # two spaces
        b"advocacy-draw-entrants v1 42\na 1 \n",  # trailing space
        b"advocacy-draw-entrants v1 42\n\n",  # empty line
        b"advocacy-draw-entrants v1 42\na 1000000000000000001\n",  # above 10**18
        b"advocacy-draw-entrants v2 42\na 1\n",  # unknown version
        b"",
    ],
)
def test_it_accepts_only_the_canonical_encoding(data):
    with pytest.raises(DrawError):
        engine.parse_list(data)


def test_freezing_makes_a_fresh_32_byte_seed_and_publishes_only_hashes():
    first = engine.freeze(draw_id=DRAW, entrants=SMALL)
    second = engine.freeze(draw_id=DRAW, entrants=SMALL)
    assert len(first.seed) == 32 and first.seed != second.seed
    assert first.seed_sha256 == hashlib.sha256(first.seed).hexdigest()
    assert first.list_sha256 == hashlib.sha256(first.list_bytes).hexdigest() == second.list_sha256
    assert (first.entrant_count, first.total_weight) == (8, 31)


# --- drawing ---------------------------------------------------------------------------------------


def test_a_hundred_recomputations_give_the_same_ordering():
    draw = frozen(SMALL)
    first = order_ids(draw)
    assert all(order_ids(draw) == first for _ in range(100))


def test_the_ordering_is_a_permutation_so_nobody_wins_twice():
    entrants = [Entrant(f"p{i}", i % 7 + 1) for i in range(500)]
    order = order_ids(frozen(entrants))
    assert sorted(order) == sorted(e.entrant_id for e in entrants)
    _, assignments = engine.run(draw_id=DRAW, list_bytes=frozen(entrants).list_bytes, seed=seed_for(0), prize_count=50)
    winners = [a.entrant_id for a in assignments]
    assert len(set(winners)) == 50


def test_the_seed_the_public_value_and_the_draw_id_each_change_the_ordering():
    entrants = [Entrant(f"p{i}", 1) for i in range(30)]
    base = order_ids(frozen(entrants))
    assert order_ids(frozen(entrants, seed_label=1)) != base
    assert order_ids(frozen(entrants), public_value=PUBLIC + "0") != base
    assert order_ids(frozen(entrants, draw_id="43")) != base


def test_this_known_draw_still_gives_the_published_answer():
    # A fixed vector: if this changes, draws published before the change no longer verify.
    draw = frozen(SMALL)
    mix, order = engine.draw_order(draw_id=DRAW, list_bytes=draw.list_bytes, seed=draw.seed, public_value=PUBLIC)
    assert mix.hex() == KNOWN_MIX
    assert [lane.entrant_id for lane in order] == KNOWN_ORDER


KNOWN_MIX = "07400bb91f678e469bd380bc40437ba3a7aba58afbb7ea6acab59dd7b321e0bd"
KNOWN_ORDER = ["e00", "e06", "e05", "e07", "e02", "e04", "e01", "e03"]


def test_one_entrant_wins_the_first_prize_and_the_rest_stay_empty():
    draw = frozen([Entrant("only", 3)])
    _, assignments = engine.run(draw_id=DRAW, list_bytes=draw.list_bytes, seed=draw.seed, prize_count=3)
    assert [a.entrant_id for a in assignments] == ["only", None, None]


def test_more_prizes_than_entrants_gives_everyone_one_prize():
    draw = frozen(SMALL)
    _, assignments = engine.run(draw_id=DRAW, list_bytes=draw.list_bytes, seed=draw.seed, prize_count=12)
    winners = [a.entrant_id for a in assignments]
    assert sorted(w for w in winners if w) == sorted(e.entrant_id for e in SMALL)
    assert winners[8:] == [None] * 4


def test_with_two_lanes_a_person_may_win_two_prizes_but_not_three():
    draw = frozen([Entrant("only", 1)])
    _, assignments = engine.run(draw_id=DRAW, list_bytes=draw.list_bytes, seed=draw.seed, prize_count=3, lanes=2)
    assert [a.entrant_id for a in assignments] == ["only", "only", None]


def test_a_huge_weight_beats_a_weight_of_one_every_time():
    entrants = [Entrant("whale", 10**18), Entrant("minnow", 1)]
    for label in range(50):
        assert order_ids(frozen(entrants, seed_label=label)) == ["whale", "minnow"]


def test_keys_stay_finite_and_positive_at_both_ends_of_the_hash_range():
    for value in (0, 1, (1 << 255) - 1, 1 << 255, (1 << 256) - 2, (1 << 256) - 1):
        key = engine._exponential(value) / float(engine.MAX_WEIGHT)
        assert math.isfinite(key) and key > 1e-300
    assert engine._exponential(0) == pytest.approx(257 * math.log(2))
    assert engine._exponential((1 << 256) - 1) == pytest.approx(2.0**-257, rel=1e-12)


def _ground_truth_before(a, b) -> bool:
    """u_a**(1/w_a) > u_b**(1/w_b), decided with integers only: (2Ua+1)**w_b * 2**(257 w_a) > ... ."""
    (value_a, weight_a), (value_b, weight_b) = a, b
    return (2 * value_a + 1) ** weight_b * (1 << (257 * weight_a)) > (2 * value_b + 1) ** weight_a * (
        1 << (257 * weight_b)
    )


@pytest.mark.parametrize("value_a", [3, 12345678901234567890, (1 << 200) + 7, (1 << 255) + 99, (1 << 256) - 5])
def test_near_ties_that_floats_cannot_see_are_ordered_exactly(value_a):
    # u_b close to u_a**2 makes E_b / 2 and E_a / 1 agree to far more digits than a float holds.
    near = ((2 * value_a + 1) ** 2 >> 257) // 2
    for value_b in (near - 1, near, near + 1):
        if not 0 <= value_b < 1 << 256 or value_b == value_a:
            continue
        a, b = (value_a, 1, "a", 0), (value_b, 2, "b", 0)
        expected = -1 if _ground_truth_before((value_a, 1), (value_b, 2)) else 1
        assert engine._compare_exact(a, b) == expected
        assert engine._compare_exact(b, a) == -expected
        rows = [(engine._exponential(v) / w, v, w, name, 0) for v, w, name, _ in (a, b)]
        rows.sort(key=lambda row: row[3], reverse=expected == -1)  # start in the wrong order
        rows.sort(key=lambda row: row[0])
        engine._settle_close_neighbours(rows)
        assert [row[3] for row in rows] == (["a", "b"] if expected == -1 else ["b", "a"])


def test_the_exact_path_agrees_with_the_float_path_when_floats_are_clear(monkeypatch):
    entrants = [Entrant(f"p{i}", i % 5 + 1) for i in range(300)]
    draw = frozen(entrants)
    fast = order_ids(draw)
    monkeypatch.setattr(engine, "_CLOSE", 10.0)  # treat every neighbour as a near tie
    assert order_ids(draw) == fast


# --- statistics ------------------------------------------------------------------------------------

WEIGHTS = {"a": 1, "b": 2, "c": 3, "d": 4, "e": 10}
TRIALS = 20_000


@pytest.fixture(scope="module")
def simulated_orders():
    data = engine.canonical_list(draw_id=DRAW, entrants=WEIGHTS.items())
    orders = []
    for trial in range(TRIALS):
        _, order = engine.draw_order(draw_id=DRAW, list_bytes=data, seed=seed_for(trial), public_value=PUBLIC)
        orders.append([lane.entrant_id for lane in order])
    return orders


def test_first_place_goes_to_each_entrant_in_proportion_to_their_weight(simulated_orders):
    total = sum(WEIGHTS.values())
    observed = {}
    for order in simulated_orders:
        observed[order[0]] = observed.get(order[0], 0) + 1
    expected = {name: TRIALS * weight / total for name, weight in WEIGHTS.items()}
    assert chi_square(observed, expected) < CHI2_4_DF_999
    # The same counts are far from what ignoring the weights would give, so the check has teeth.
    uniform = {name: TRIALS / len(WEIGHTS) for name in WEIGHTS}
    assert chi_square(observed, uniform) > 10 * CHI2_4_DF_999


def test_second_place_follows_sampling_without_replacement(simulated_orders):
    total = sum(WEIGHTS.values())
    expected = {
        name: TRIALS
        * sum(WEIGHTS[first] / total * weight / (total - WEIGHTS[first]) for first in WEIGHTS if first != name)
        for name, weight in WEIGHTS.items()
    }
    observed = {}
    for order in simulated_orders:
        observed[order[1]] = observed.get(order[1], 0) + 1
    assert chi_square(observed, expected) < CHI2_4_DF_999


# --- redraws ---------------------------------------------------------------------------------------


def test_a_redraw_gives_the_prize_to_the_next_in_the_same_order():
    draw = frozen(SMALL)
    _, order = engine.draw_order(draw_id=DRAW, list_bytes=draw.list_bytes, seed=draw.seed, public_value=PUBLIC)
    ids = [lane.entrant_id for lane in order]
    before = engine.assign_prizes(order, prize_count=3)
    assert [a.entrant_id for a in before] == ids[:3]
    after = engine.assign_prizes(order, prize_count=3, removals=[ids[1]])
    assert [a.entrant_id for a in after] == [ids[0], ids[3], ids[2]]
    twice = engine.assign_prizes(order, prize_count=3, removals=[ids[1], ids[0]])
    assert [a.entrant_id for a in twice] == [ids[4], ids[3], ids[2]]
    assert [a.position for a in twice] == [4, 3, 2]


def test_a_redraw_of_someone_without_a_prize_is_refused():
    draw = frozen(SMALL)
    _, order = engine.draw_order(draw_id=DRAW, list_bytes=draw.list_bytes, seed=draw.seed)
    with pytest.raises(DrawError, match="does not hold a prize"):
        engine.assign_prizes(order, prize_count=2, removals=[order[5].entrant_id])
    with pytest.raises(DrawError, match="does not hold a prize"):
        engine.assign_prizes(order, prize_count=2, removals=[order[0].entrant_id, order[0].entrant_id])


def test_redraws_leave_a_prize_empty_once_the_order_runs_out():
    draw = frozen([Entrant("x", 1), Entrant("y", 1)])
    _, order = engine.draw_order(draw_id=DRAW, list_bytes=draw.list_bytes, seed=draw.seed)
    first, second = (lane.entrant_id for lane in order)
    assignments = engine.assign_prizes(order, prize_count=1, removals=[first, second])
    assert assignments[0].entrant_id is None


def test_a_removed_winner_loses_every_lane_they_held():
    draw = frozen([Entrant("x", 1000), Entrant("y", 1), Entrant("z", 1)])
    _, order = engine.draw_order(draw_id=DRAW, list_bytes=draw.list_bytes, seed=draw.seed, lanes=2)
    ids = [lane.entrant_id for lane in order]
    assert ids[:2] == ["x", "x"]
    after = engine.assign_prizes(order, prize_count=2, removals=["x"])
    assert [a.entrant_id for a in after] == ids[2:4]
    assert "x" not in ids[2:4]


# --- verification ----------------------------------------------------------------------------------


def test_an_untouched_draw_verifies():
    report = engine.verify(**published(frozen(SMALL)))
    assert report.ok, report.checks
    assert len(report.checks) == 5


def test_a_draw_with_redraws_verifies_only_with_its_redraw_log():
    draw = frozen(SMALL)
    order = order_ids(draw)
    artefacts = published(draw, removals=[order[0]])
    assert engine.verify(**artefacts).ok
    assert not engine.verify(**{**artefacts, "removals": []}).ok


def _flip(data: bytes, position: int) -> bytes:
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]


def test_changing_any_byte_of_the_list_fails_verification():
    artefacts = published(frozen(SMALL))
    data = artefacts["list_bytes"]
    for position in range(len(data)):
        report = engine.verify(**{**artefacts, "list_bytes": _flip(data, position)})
        assert not report.ok, position
        assert not report.checks[0].ok


def test_changing_any_byte_of_the_seed_fails_verification():
    artefacts = published(frozen(SMALL))
    for position in range(32):
        report = engine.verify(**{**artefacts, "seed": _flip(artefacts["seed"], position)})
        assert not report.ok and not report.checks[1].ok, position


def test_changing_any_byte_of_the_public_value_fails_verification():
    artefacts = published(frozen(SMALL))
    value = artefacts["public_value"].encode()
    for position in range(len(value)):
        tampered = _flip(value, position).decode()
        assert not engine.verify(**{**artefacts, "public_value": tampered}).ok, position
    assert not engine.verify(**{**artefacts, "public_value": ""}).ok


def test_a_list_replaced_together_with_its_hash_still_fails_against_the_commitment():
    artefacts = published(frozen(SMALL))
    other = frozen([*SMALL, Entrant("stuffed", 1000)])
    report = engine.verify(**{**artefacts, "list_bytes": other.list_bytes})
    assert not report.ok


def test_a_tampered_winner_list_is_detected():
    artefacts = published(frozen(SMALL))
    winners = artefacts["winners"]
    outsider = next(e.entrant_id for e in SMALL if e.entrant_id not in winners)
    for tampered in ([outsider, *winners[1:]], [winners[1], winners[0], winners[2]], winners[:2]):
        report = engine.verify(**{**artefacts, "winners": tampered})
        assert not report.ok
        assert [check.ok for check in report.checks] == [True, True, True, True, False]


def test_a_list_for_another_draw_fails_verification():
    other = frozen(SMALL, draw_id="43")
    artefacts = {**published(frozen(SMALL)), "list_bytes": other.list_bytes, "list_sha256": other.list_sha256}
    assert not engine.verify(**artefacts).ok
