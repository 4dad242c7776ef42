"""The verifiable draw engine: freeze, commit, draw and verify, in pure Python.

Nothing here imports Django, so the same file can check a draw offline from the
published artefacts (``manage.py verify_draw`` and the verification page both
call :func:`verify`).

Entrant ids
    ``entrant_id_for`` derives a pseudonymous id as HMAC-SHA256(entrant key,
    "advocacy-draw/v1/entrant" | draw id | person id), hex, first 32 characters
    (128 bits). The entrant key is 32 random bytes made per draw and **never
    published**, not even after the draw: person ids are small integers, so a
    published key would let anyone map every id back to a person. Verification
    does not need it, because the list itself is what is committed to. An
    entrant finds themselves because the site shows each person their own id.

Frozen list (format ``advocacy-draw-entrants v1``)
    UTF-8 (in practice ASCII) text; the first line is
    ``advocacy-draw-entrants v1 <draw id>``, then one line per entrant,
    ``<entrant id> <weight>``, sorted by entrant id (byte order), every line
    ending in ``\\n`` (so the file ends with a newline). Entrant ids and draw ids
    are 1-64 characters of ``A-Z a-z 0-9 . _ -``; a weight is a decimal integer
    from 1 to 10**18 without sign or leading zeros. Ids are unique. Any other
    byte sequence is rejected, so one list has exactly one encoding and
    SHA-256(list) identifies it.

Commitment (published when the list is frozen)
    SHA-256 of the list, SHA-256 of a fresh 32-byte seed from ``secrets``, and
    optionally the *name* of a public randomness value that does not exist yet
    (a drand round, a lottery result). Because the seed is fixed before the
    public value is known, and the public value is mixed in, nobody (HR
    included) can choose the seed after seeing the outcome.

Drawing
    mix = SHA-256("advocacy-draw/v1/mix\\0" | lp(draw id) | lp(SHA-256(list)) |
    lp(seed) | lp(public value, UTF-8)) where lp(x) is x's length as 8 bytes
    big-endian followed by x. For each entrant and each lane (an entrant has
    one lane per prize they may win, one by default), h = SHA-256(
    "advocacy-draw/v1/key\\0" | mix | entrant id | "\\0" | lane in decimal), read
    as a big-endian integer U, and u = (2U + 1) / 2**257, which lies strictly
    inside (0, 1). Efraimidis-Spirakis orders lanes by u**(1/w) descending;
    we use the equivalent key E/w ascending with E = -ln(u) (an exponential
    race: the first place goes to each entrant with probability w / total).
    Two lanes can never tie exactly: u_a**w_b = u_b**w_a would need equal odd
    numerators over powers of two, i.e. the same hash. Floats are only a fast
    path: E is computed to a few ulps (log1p near u = 1, so no denormals, no
    zero, no overflow for weights up to 10**18), and any neighbours closer than
    a relative 1e-12 are re-ordered with exact decimal logarithms at increasing
    precision. The result is a full ordering of all lanes; the prizes go to the
    first lanes in order, and a redraw gives the removed winner's prize to the
    next unused lane in that same order, never to a fresh pick.

Verification
    Recompute SHA-256 of the list and of the seed against the commitment, parse
    the list strictly, recompute mix and ordering, replay the logged removals,
    and compare with the published mix and winners. Changing any byte of the
    list or the seed breaks the commitment; changing the public value changes
    the mix; a tampered winner list no longer matches the replay.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import operator
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Context, Decimal
from functools import cmp_to_key
from typing import NamedTuple

FORMAT = "advocacy-draw-entrants v1"
ALGORITHM = "advocacy-draw/v1 (Efraimidis-Spirakis, SHA-256 keys, exact ordering)"
MAX_WEIGHT = 10**18
SEED_BYTES = 32
ENTRANT_ID_LENGTH = 32

_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")
_ID_BYTES_RE = re.compile(rb"[A-Za-z0-9._-]{1,64}")
_LINE_RE = re.compile(rb"[A-Za-z0-9._-]{1,64} [1-9][0-9]{0,18}")
_BODY_RE = re.compile(rb"(?:[A-Za-z0-9._-]{1,64} [1-9][0-9]{0,18}\n)*")
_MIX_TAG = b"advocacy-draw/v1/mix\x00"
_KEY_TAG = b"advocacy-draw/v1/key\x00"
_ENTRANT_TAG = b"advocacy-draw/v1/entrant\x00"
_TWO_257 = 1 << 257
_ALL_ONES_256 = (1 << 256) - 1
# Float keys are accurate to a few ulps (~1e-15 relative); neighbours closer
# than this are re-checked exactly, so the float fast path never decides a
# comparison it could get wrong.
_CLOSE = 1e-12


class DrawError(ValueError):
    """Input that cannot make a valid draw (bad weights, duplicate ids, a malformed list...)."""


class Entrant(NamedTuple):
    entrant_id: str
    weight: int


class Lane(NamedTuple):
    """One place in the ordering: an entrant's ``lane``-th chance to win (lane 0 unless a person may win twice)."""

    entrant_id: str
    lane: int
    weight: int


@dataclass(frozen=True)
class Frozen:
    """What freezing produces: the canonical list, its hash, and the secret seed with its public hash."""

    draw_id: str
    list_bytes: bytes
    list_sha256: str
    seed: bytes
    seed_sha256: str
    entrant_count: int
    total_weight: int


@dataclass(frozen=True)
class Assignment:
    """Who holds prize slot ``slot`` (0-based, in the order prizes are listed), and at which position of the order."""

    slot: int
    entrant_id: str | None
    position: int | None


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    winners: list[str | None] = field(default_factory=list)
    mix: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    def add(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok


# --- ids, lists and commitments -------------------------------------------------------------------


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def new_secret() -> bytes:
    """32 random bytes from the OS (used for seeds and for per-draw entrant keys)."""
    return secrets.token_bytes(SEED_BYTES)


def _check_id(value: str, what: str) -> str:
    if not isinstance(value, str) or not _ID_RE.fullmatch(value):
        raise DrawError(f"{what} must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-', got {value!r}.")
    return value


def entrant_id_for(*, entrant_key: bytes, draw_id: str, person_id: int | str) -> str:
    """The pseudonymous entrant id of one person in one draw (see the module docstring)."""
    _check_id(draw_id, "The draw id")
    message = _ENTRANT_TAG + draw_id.encode() + b"\x00" + str(person_id).encode()
    return hmac.new(entrant_key, message, hashlib.sha256).hexdigest()[:ENTRANT_ID_LENGTH]


def entrant_ids_for(*, entrant_key: bytes, draw_id: str, person_ids: Iterable[int | str]) -> dict[int | str, str]:
    """Entrant ids for many people at once (the HMAC key schedule is done once)."""
    _check_id(draw_id, "The draw id")
    base = hmac.new(entrant_key, _ENTRANT_TAG + draw_id.encode() + b"\x00", hashlib.sha256)
    ids = {}
    for person_id in person_ids:
        mac = base.copy()
        mac.update(str(person_id).encode())
        ids[person_id] = mac.hexdigest()[:ENTRANT_ID_LENGTH]
    return ids


def _check_weight(weight: int, entrant_id: str) -> int:
    if isinstance(weight, bool) or not isinstance(weight, int):
        raise DrawError(f"The weight of {entrant_id} must be a whole number, got {weight!r}.")
    if weight < 1:
        raise DrawError(f"The weight of {entrant_id} must be at least 1, got {weight}.")
    if weight > MAX_WEIGHT:
        raise DrawError(f"The weight of {entrant_id} must be at most 10**18, got {weight}.")
    return weight


def canonical_list(*, draw_id: str, entrants: Iterable[Entrant | tuple[str, int]]) -> bytes:
    """Serialise entrants in the one canonical form; rejects bad ids, bad weights and duplicates."""
    _check_id(draw_id, "The draw id")
    rows = []
    for entrant in entrants:
        entrant_id, weight = entrant
        rows.append((_check_id(entrant_id, "An entrant id"), _check_weight(weight, entrant_id)))
    rows.sort()
    lines = [f"{FORMAT} {draw_id}\n"]
    previous = None
    for entrant_id, weight in rows:
        if entrant_id == previous:
            raise DrawError(f"The entrant id {entrant_id} appears twice.")
        previous = entrant_id
        lines.append(f"{entrant_id} {weight}\n")
    return "".join(lines).encode()


def _parse(list_bytes: bytes) -> tuple[str, list[str], list[int]]:
    if not list_bytes.endswith(b"\n"):
        raise DrawError("The list must end with a newline.")
    header, _, body = list_bytes.partition(b"\n")
    prefix = FORMAT.encode() + b" "
    if not header.startswith(prefix) or not _ID_BYTES_RE.fullmatch(header[len(prefix) :]):
        raise DrawError(f"The first line must be '{FORMAT} <draw id>'.")
    if not _BODY_RE.fullmatch(body):
        lines = enumerate(body[:-1].split(b"\n"), start=2)
        bad = next((n for n, line in lines if not _LINE_RE.fullmatch(line)), 2)
        raise DrawError(f"Line {bad} is not '<entrant id> <weight>' (weight 1 to 10**18, no leading zeros).")
    fields = body.decode().split()
    ids, weights = fields[0::2], [int(weight) for weight in fields[1::2]]
    if not all(map(operator.lt, ids, ids[1:])):
        bad = next(n for n, (a, b) in enumerate(zip(ids, ids[1:]), start=3) if not a < b)
        raise DrawError(f"Line {bad} is out of order or repeats an entrant id.")
    if weights and max(weights) > MAX_WEIGHT:
        raise DrawError("A weight is above 10**18.")
    return header[len(prefix) :].decode(), ids, weights


def parse_list(list_bytes: bytes) -> tuple[str, list[Entrant]]:
    """Read a frozen list back, accepting only its canonical form; returns (draw id, entrants in order)."""
    draw_id, ids, weights = _parse(list_bytes)
    return draw_id, [Entrant(entrant_id, weight) for entrant_id, weight in zip(ids, weights)]


def freeze(*, draw_id: str, entrants: Iterable[Entrant | tuple[str, int]], seed: bytes | None = None) -> Frozen:
    """Serialise the list canonically and make the secret seed; publish ``list_sha256`` and ``seed_sha256``."""
    list_bytes = canonical_list(draw_id=draw_id, entrants=entrants)
    seed = new_secret() if seed is None else seed
    if len(seed) != SEED_BYTES:
        raise DrawError("The seed must be 32 bytes.")
    _, _, weights = _parse(list_bytes)
    return Frozen(
        draw_id=draw_id,
        list_bytes=list_bytes,
        list_sha256=sha256_hex(list_bytes),
        seed=seed,
        seed_sha256=sha256_hex(seed),
        entrant_count=len(weights),
        total_weight=sum(weights),
    )


# --- drawing --------------------------------------------------------------------------------------


def _lp(data: bytes) -> bytes:
    return len(data).to_bytes(8, "big") + data


def mix_for(*, draw_id: str, list_sha256: str, seed: bytes, public_value: str = "") -> bytes:
    """The 32 bytes every key is derived from: binds the draw id, the list, the seed and the public value."""
    material = _MIX_TAG + _lp(draw_id.encode()) + _lp(bytes.fromhex(list_sha256)) + _lp(seed)
    return hashlib.sha256(material + _lp(public_value.encode("utf-8"))).digest()


def _exponential(value: int) -> float:
    """-ln(u) for u = (2*value + 1) / 2**257, accurate to a few ulps over the whole range."""
    if value < 1 << 255:  # u < 1/2: u as a float is exact to 2**-53 and |ln u| > ln 2
        return -math.log(math.ldexp(float(2 * value + 1), -257))
    # u >= 1/2: work from d = 1 - u, which a float holds without cancellation
    return -math.log1p(-math.ldexp(float(2 * (_ALL_ONES_256 - value) + 1), -257))


def _exact_exponential(value: int, context: Context) -> Decimal:
    """-ln(u) in decimal at the context's precision (relative error a few units in the last place)."""
    # Unary minus would round to the thread's default context, hence context.minus throughout.
    if value < 1 << 255:
        return context.minus(context.ln(context.divide(Decimal(2 * value + 1), Decimal(_TWO_257))))
    d = context.divide(Decimal(2 * (_ALL_ONES_256 - value) + 1), Decimal(_TWO_257))
    if d > Decimal("1e-6"):
        return context.minus(context.ln(context.subtract(Decimal(1), d)))
    # -ln(1 - d) = d + d^2/2 + d^3/3 + ...; a series keeps the relative precision a subtraction would lose
    total, power, n = Decimal(0), Decimal(1), 1
    limit = Decimal(10) ** -(context.prec + 5)  # exact: a power of ten is one digit
    while True:
        power = context.multiply(power, d)
        term = context.divide(power, Decimal(n))
        total = context.add(total, term)
        if term < limit * total:
            return total
        n += 1


def _compare_exact(a: tuple[int, int, str, int], b: tuple[int, int, str, int]) -> int:
    """Compare E_a / w_a with E_b / w_b exactly (as E_a * w_b with E_b * w_a), raising precision until decided."""
    value_a, weight_a = a[0], a[1]
    value_b, weight_b = b[0], b[1]
    if value_a == value_b and weight_a == weight_b:
        raise DrawError("Two lanes produced the same SHA-256 key; the draw cannot be ordered.")
    precision = 60
    while precision <= 20_000:
        context = Context(prec=precision)
        left = context.multiply(_exact_exponential(value_a, context), Decimal(weight_b))
        right = context.multiply(_exact_exponential(value_b, context), Decimal(weight_a))
        margin = context.multiply(max(left, right), Decimal(10) ** (10 - precision))
        if context.abs(context.subtract(left, right)) > margin:
            return -1 if left < right else 1
        precision *= 4
    raise DrawError("Two lanes could not be ordered at 20,000 digits.")  # needs a SHA-256 near-collision


def draw_order(
    *, draw_id: str, list_bytes: bytes, seed: bytes, public_value: str = "", lanes: int = 1
) -> tuple[bytes, list[Lane]]:
    """Return (mix, the full ordering of every entrant's lanes); the deterministic heart of the draw."""
    if lanes < 1:
        raise DrawError("Each entrant needs at least one lane.")
    list_draw_id, ids, weights = _parse(list_bytes)
    if list_draw_id != draw_id:
        raise DrawError(f"The list belongs to draw {list_draw_id}, not {draw_id}.")
    if len(seed) != SEED_BYTES:
        raise DrawError("The seed must be 32 bytes.")
    mix = mix_for(draw_id=draw_id, list_sha256=sha256_hex(list_bytes), seed=seed, public_value=public_value)
    base = hashlib.sha256(_KEY_TAG + mix)
    suffixes = [b"\x00" + str(lane).encode() for lane in range(lanes)]
    exponential, from_bytes = _exponential, int.from_bytes
    rows = []
    for entrant_id, weight in zip(ids, weights):
        prefix = base.copy()
        prefix.update(entrant_id.encode())
        float_weight = float(weight)
        for lane, suffix in enumerate(suffixes):
            digest = prefix.copy()
            digest.update(suffix)
            value = from_bytes(digest.digest(), "big")
            rows.append((exponential(value) / float_weight, value, weight, entrant_id, lane))
    rows.sort()
    _settle_close_neighbours(rows)
    return mix, [Lane(row[3], row[4], row[2]) for row in rows]


def _settle_close_neighbours(rows: list) -> None:
    """Re-order, exactly, every run of neighbours whose float keys are too close to trust."""
    start = 0
    for index in range(1, len(rows) + 1):
        if index < len(rows) and rows[index][0] - rows[index - 1][0] <= _CLOSE * rows[index][0]:
            continue
        if index - start > 1:
            rows[start:index] = sorted(rows[start:index], key=cmp_to_key(lambda a, b: _compare_exact(a[1:], b[1:])))
        start = index


def assign_prizes(order: Sequence[Lane], *, prize_count: int, removals: Sequence[str] = ()) -> list[Assignment]:
    """Give prize slots to the first lanes in order, then replay removals (declined or ineligible winners).

    Each removal must name an entrant currently holding a prize; every slot they hold passes to the next
    lane in the order that has not been used yet and whose entrant was not removed. Slots stay empty
    (entrant_id None) once the order runs out.
    """
    if prize_count < 0:
        raise DrawError("The number of prizes cannot be negative.")
    removed: set[str] = set()
    cursor = 0

    def next_position() -> int | None:
        nonlocal cursor
        while cursor < len(order) and order[cursor].entrant_id in removed:
            cursor += 1
        if cursor >= len(order):
            return None
        cursor += 1
        return cursor - 1

    holders: list[int | None] = [next_position() for _ in range(prize_count)]
    for entrant_id in removals:
        slots = [s for s, p in enumerate(holders) if p is not None and order[p].entrant_id == entrant_id]
        if not slots:
            raise DrawError(f"Entrant {entrant_id} does not hold a prize, so cannot be redrawn.")
        removed.add(entrant_id)
        for slot in slots:
            holders[slot] = next_position()
    return [Assignment(slot, None if p is None else order[p].entrant_id, p) for slot, p in enumerate(holders)]


def run(
    *, draw_id: str, list_bytes: bytes, seed: bytes, public_value: str = "", prize_count: int, lanes: int = 1
) -> tuple[str, list[Assignment]]:
    """Draw: returns (mix as hex, the prize assignments before any redraw)."""
    mix, order = draw_order(draw_id=draw_id, list_bytes=list_bytes, seed=seed, public_value=public_value, lanes=lanes)
    return mix.hex(), assign_prizes(order, prize_count=prize_count)


# --- verification ---------------------------------------------------------------------------------


def verify(
    *,
    draw_id: str,
    list_bytes: bytes,
    list_sha256: str,
    seed: bytes,
    seed_sha256: str,
    public_value: str = "",
    mix: str | None = None,
    prize_count: int,
    lanes: int = 1,
    removals: Sequence[str] = (),
    winners: Sequence[str | None] | None = None,
) -> Report:
    """Recompute a draw from its published artefacts; ``Report.ok`` is True only if every check passes.

    ``list_sha256``/``seed_sha256`` are the commitment published at freeze time, ``mix`` and ``winners``
    (entrant id per prize slot after the ``removals``, in order) are what was published at draw time.
    """
    report = Report()
    actual_list = sha256_hex(list_bytes)
    report.add(
        "The frozen list matches its published SHA-256",
        hmac.compare_digest(actual_list, list_sha256),
        f"published {list_sha256}, recomputed {actual_list}",
    )
    actual_seed = sha256_hex(seed)
    report.add(
        "The revealed seed matches its published SHA-256",
        hmac.compare_digest(actual_seed, seed_sha256),
        f"published {seed_sha256}, recomputed {actual_seed}",
    )
    try:
        list_draw_id, _, weights = _parse(list_bytes)
    except DrawError as error:
        report.add("The list is in canonical form", False, str(error))
        return report
    report.add(
        "The list is in canonical form for this draw",
        list_draw_id == draw_id,
        f"{len(weights)} entrants, total weight {sum(weights)}",
    )
    if not report.ok:
        return report
    recomputed_mix, order = draw_order(
        draw_id=draw_id, list_bytes=list_bytes, seed=seed, public_value=public_value, lanes=lanes
    )
    report.mix = recomputed_mix.hex()
    if mix is not None:
        report.add(
            "The randomness (seed, public value, list, draw id) matches the published mix",
            hmac.compare_digest(report.mix, mix),
            f"published {mix}, recomputed {report.mix}",
        )
    try:
        assignments = assign_prizes(order, prize_count=prize_count, removals=removals)
    except DrawError as error:
        report.add("The redraw log replays", False, str(error))
        return report
    report.winners = [a.entrant_id for a in assignments]
    if winners is not None:
        report.add(
            "The published winners are the recomputed winners",
            list(winners) == report.winners,
            f"published {list(winners)}, recomputed {report.winners}",
        )
    return report
