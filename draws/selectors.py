"""Reads for reward draws: lists, eligibility and entry weights, verification."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from advocacy.people.deactivations import deactivation_notes
from advocacy.people.models import User
from advocacy.people.roles import Role
from advocacy.people.selectors import active_employees
from sharing.models import Share

from . import engine
from .models import Draw, Entrant, FreeEntryRequest, RulesVersion, Winner


def draw_status(*, draw: Draw, now: datetime | None = None) -> str:
    """'upcoming', 'open', 'closed' (waiting to be frozen), 'frozen' (committed, waiting to be drawn) or 'drawn'."""
    now = now or timezone.now()
    if draw.is_drawn:
        return "drawn"
    if draw.is_frozen:
        return "frozen"
    if now < draw.opens_at:
        return "upcoming"
    if now < draw.closes_at:
        return "open"
    return "closed"


def rules_locked(*, draw: Draw, now: datetime | None = None) -> bool:
    return (now or timezone.now()) >= draw.opens_at


def draw_list() -> QuerySet[Draw]:
    """Every draw with its prizes, newest first (two queries however many draws; the frozen lists stay unread)."""
    return Draw.objects.select_related("campaign").defer("list_text").prefetch_related("prizes")


def draw_get(*, pk: int) -> Draw:
    return (
        Draw.objects.select_related("campaign", "created_by", "drawn_by")
        .prefetch_related("prizes", "excluded_people")
        .get(pk=pk)
    )


def rules_current(*, draw: Draw) -> RulesVersion | None:
    return draw.rules_versions.order_by("-number").first()


def rules_history(*, draw: Draw) -> QuerySet[RulesVersion]:
    return draw.rules_versions.select_related("created_by").order_by("-number")


def prize_slots(*, draw: Draw) -> list:
    """One entry per prize unit, in the order the prizes are listed: slot i is the i-th thing won."""
    return [prize for prize in draw.prizes.all() for _ in range(prize.quantity)]


def winners_for(*, draw: Draw) -> QuerySet[Winner]:
    """Every winner row, current and removed, with their prize and person."""
    return (
        Winner.objects.filter(draw=draw)
        .select_related("prize", "entrant__user", "removed_by")
        .order_by("slot", "position")
    )


def removals_in_order(*, draw: Draw) -> list[str]:
    """Entrant ids of removed winners, in the order HR removed them (what a verifier replays)."""
    return list(
        Winner.objects.filter(draw=draw, removal_number__isnull=False)
        .order_by("removal_number")
        .values_list("entrant__entrant_id", flat=True)
    )


@dataclass(frozen=True)
class EntriesSoFar:
    """Where someone stands in a draw that is still open: what they would enter with if it froze now."""

    entered: bool
    weight: int
    shares: int
    free_entry: bool
    # Why not (yet), in words, when not entered.
    reason: str = ""


def entries_so_far(*, draw: Draw, user, now: datetime | None = None) -> EntriesSoFar | None:
    """The person's current entries in an open draw (None unless it is open), by the freeze's own rules."""
    if draw_status(draw=draw, now=now) != "open" or not user.is_authenticated:
        return None
    weights = entry_weights(draw=draw, user_ids=[user.pk])
    shares = qualifying_shares(draw=draw).filter(user=user).count()
    if weights:
        entry = weights[0]
        return EntriesSoFar(entered=True, weight=entry.weight, shares=entry.shares, free_entry=entry.free_entry)
    if not eligible_people(draw=draw).filter(pk=user.pk).exists():
        from guidelines.selectors import acknowledgement_required

        if draw.require_policy_acknowledgement and acknowledgement_required(user=user):
            reason = "Acknowledge the current social media policy to take part."
        else:
            reason = "You are not eligible for this draw; the official rules below say who is."
    elif shares < draw.minimum_shares:
        missing = draw.minimum_shares - shares
        reason = f"Share {missing} more post{'s' if missing != 1 else ''} before entries close to enter."
    else:
        reason = "Share a post before entries close to enter."
    return EntriesSoFar(entered=False, weight=0, shares=shares, free_entry=False, reason=reason)


def entrant_for(*, draw: Draw, user) -> Entrant | None:
    if not draw.is_frozen or not user.is_authenticated:
        return None
    return Entrant.objects.filter(draw=draw, user=user).first()


def free_entry_requested(*, draw: Draw, user) -> bool:
    return FreeEntryRequest.objects.filter(draw=draw, user=user).exists()


@dataclass(frozen=True)
class EntryWeight:
    user_id: int
    weight: int
    shares: int
    free_entry: bool


def eligible_people(*, draw: Draw) -> QuerySet[User]:
    """Active employees not excluded by role or by name, and (if required) up to date with the policy."""
    people = active_employees()
    excluded_roles = [role for role in draw.excluded_roles if role != Role.EMPLOYEE.value]
    if excluded_roles:
        people = people.exclude(groups__name__in=excluded_roles)
    people = people.exclude(pk__in=draw.excluded_people.values("pk"))
    if draw.require_policy_acknowledgement and settings.GUIDELINES_REQUIRE_ACKNOWLEDGEMENT:
        from guidelines.selectors import employees_needing_acknowledgement

        people = people.exclude(pk__in=employees_needing_acknowledgement().values("pk"))
    return people.distinct()


@dataclass(frozen=True)
class LeftOut:
    user: User
    shares: int
    note: str


def deactivated_left_out(*, draw: Draw) -> list[LeftOut]:
    """Deactivated people with qualifying shares in a draw not yet frozen: they will not be entered.

    Their shares and points stay in the ledger; the note says why they are out (e.g. "deactivated
    on 1 Dec 2026 by SCIM", from advocacy.people.deactivations). Two queries at most.
    """
    if draw.is_frozen:
        return []
    share_ids = qualifying_shares(draw=draw).values("pk")
    people = list(
        User.objects.filter(is_active=False, shares__in=share_ids)
        .annotate(share_count=Count("shares", filter=Q(shares__in=share_ids), distinct=True))
        .order_by("display_name", "username")
    )
    notes = deactivation_notes(user_ids=[person.pk for person in people])
    return [LeftOut(person, person.share_count, notes.get(person.pk, "deactivated")) for person in people]


def qualifying_shares(*, draw: Draw) -> QuerySet[Share]:
    """Shares first made inside the eligibility period (and for the draw's campaign, when it has one)."""
    shares = Share.objects.filter(created_at__gte=draw.period_start, created_at__lt=draw.period_end)
    if draw.campaign_id:
        shares = shares.filter(post__campaign_id=draw.campaign_id)
    return shares


def entry_weights(*, draw: Draw, user_ids: list[int] | None = None) -> list[EntryWeight]:
    """Who enters and with what weight, by the draw's rules (run at freeze time).

    A free entry request counts like one qualifying share (in points mode: the
    points a share earns under the rules in force), and lets its maker in without
    meeting the minimum number of shares. Points mode uses the points earned in
    the eligibility period (and for the draw's campaign, when it has one).
    """
    points = {}
    share_points = 0
    if draw.weighting == Draw.Weighting.POINTS:
        from leaderboard.selectors import points_by_user_between, points_rules_in_force

        points = points_by_user_between(start=draw.period_start, end=draw.period_end, campaign_id=draw.campaign_id)
        share_points = points_rules_in_force().share
    share_ids = qualifying_shares(draw=draw).values("pk")
    people = eligible_people(draw=draw)
    if user_ids is not None:
        people = people.filter(pk__in=user_ids)
    people = people.annotate(share_count=Count("shares", filter=Q(shares__in=share_ids), distinct=True))
    free = set()
    if draw.free_entry_enabled:
        free = set(FreeEntryRequest.objects.filter(draw=draw).values_list("user_id", flat=True))
    weights = []
    for user_id, share_count in people.values_list("pk", "share_count"):
        has_free = user_id in free
        weight = entry_weight(
            draw=draw, shares=share_count, points=points.get(user_id, 0), share_points=share_points, free=has_free
        )
        if weight:
            weights.append(EntryWeight(user_id, weight, share_count, has_free))
    return weights


def entry_weight(*, draw: Draw, shares: int, points: int = 0, share_points: int = 0, free: bool = False) -> int:
    """How many entries a person with these qualifying shares (and points, and free entry request) gets: 0 = none."""
    if shares < draw.minimum_shares and not free:
        return 0
    if draw.weighting == Draw.Weighting.PER_SHARE:
        return max(0, min(shares + (1 if free else 0), draw.weight_cap))
    if draw.weighting == Draw.Weighting.POINTS:
        return max(0, min(points + (share_points if free else 0), draw.weight_cap))
    return 1


def draws_due_for_freezing(*, now: datetime | None = None) -> QuerySet[Draw]:
    return Draw.objects.filter(frozen_at__isnull=True, closes_at__lte=now or timezone.now())


def draws_for_employees() -> QuerySet[Draw]:
    """Draws employees can see: open, closed or drawn (upcoming ones are too, so people can read the rules)."""
    return draw_list().prefetch_related(
        Prefetch("winners", queryset=Winner.objects.filter(status=Winner.Status.WON).select_related("entrant__user"))
    )


def draw_verification(*, draw: Draw) -> engine.Report:
    """Recompute the draw from what it published; only meaningful once drawn."""
    current = {w.slot: w.entrant.entrant_id for w in winners_for(draw=draw) if w.is_current}
    slot_count = len(prize_slots(draw=draw))
    return engine.verify(
        draw_id=draw.engine_id,
        list_bytes=draw.list_text.encode(),
        list_sha256=draw.list_sha256,
        seed=bytes.fromhex(draw.seed_hex),
        seed_sha256=draw.seed_sha256,
        public_value=draw.public_randomness_value,
        mix=draw.mix,
        prize_count=slot_count,
        lanes=draw.max_prizes_per_person,
        removals=removals_in_order(draw=draw),
        winners=[current.get(slot) for slot in range(slot_count)],
    )


def draw_record(*, draw: Draw) -> dict:
    """Everything a draw publishes, as one JSON-ready document (the seed only once drawn)."""
    slot_count = len(prize_slots(draw=draw))
    current = {w.slot: w.entrant.entrant_id for w in winners_for(draw=draw) if w.is_current}
    return {
        "algorithm": engine.ALGORITHM,
        "list_format": engine.FORMAT,
        "draw_id": draw.engine_id,
        "name": draw.name,
        "frozen_at": draw.frozen_at.isoformat() if draw.frozen_at else None,
        "list_sha256": draw.list_sha256,
        "seed_sha256": draw.seed_sha256,
        "entrant_count": draw.entrant_count,
        "total_weight": draw.total_weight,
        "public_randomness_source": draw.public_randomness_source,
        "drawn_at": draw.drawn_at.isoformat() if draw.drawn_at else None,
        "seed": draw.seed_revealed,
        "public_randomness_value": draw.public_randomness_value if draw.is_drawn else "",
        "mix": draw.mix,
        "prize_count": slot_count,
        "max_prizes_per_person": draw.max_prizes_per_person,
        "removals": removals_in_order(draw=draw) if draw.is_drawn else [],
        "winners": [current.get(slot) for slot in range(slot_count)] if draw.is_drawn else [],
    }


def display_name_for(*, winner: Winner, viewer=None) -> str:
    """A winner as the draw page shows them: their name, or a pseudonym if they hide from leaderboards."""
    user = winner.entrant.user
    if viewer is not None and viewer.pk == user.pk:
        return f"{user.name} (you)"
    if user.hide_from_leaderboards:
        return f"Anonymous advocate {winner.entrant.entrant_id[:8]}"
    return user.name


def post_enters_open_draw(*, post, now: datetime | None = None) -> bool:
    """Whether sharing this post now counts towards an open draw (so the reward-draw disclosure applies).

    A share counts when a draw is open, its entries depend on sharing (per-share
    weighting or a minimum number of shares), and it is for any campaign or for
    this post's campaign. Registered with guidelines.registry (apps.py), which
    guidelines.selectors.post_enters_reward_draw asks.
    """
    now = now or timezone.now()
    draws = Draw.objects.filter(opens_at__lte=now, closes_at__gt=now, frozen_at__isnull=True).filter(
        Q(weighting=Draw.Weighting.PER_SHARE) | Q(minimum_shares__gt=0)
    )
    return draws.filter(Q(campaign__isnull=True) | Q(campaign_id=post.campaign_id)).exists()


def open_draw_entrants_needing_policy(*, now: datetime | None = None) -> list[tuple[str, int]]:
    """[(draw name, entrants now)] for open draws that require the policy acknowledgement.

    A new major policy version makes every one of them ineligible until they acknowledge it
    again, so the policy editor warns with these numbers (guidelines.registry). One query per
    open draw, and only on the policy's edit page.
    """
    if not settings.GUIDELINES_REQUIRE_ACKNOWLEDGEMENT:
        return []
    now = now or timezone.now()
    draws = Draw.objects.filter(
        opens_at__lte=now, closes_at__gt=now, frozen_at__isnull=True, require_policy_acknowledgement=True
    ).order_by("closes_at", "pk")
    return [(draw.name, len(entry_weights(draw=draw))) for draw in draws]


# --- Start pages (advocacy.homes) -----------------------------------------------


def home_open_draw(*, user, now: datetime) -> dict:
    """The draw open now (the one closing first) and the entries this person has in it so far.

    Entries count as the freeze will count them (``entry_weight``); whether the person is
    eligible at all (role, exclusions, policy) is decided at freeze time and not repeated here.
    At most five queries: the draw, its prizes, the person's shares, free entry, points.
    """
    draw = (
        Draw.objects.filter(frozen_at__isnull=True, opens_at__lte=now, closes_at__gt=now)
        .defer("list_text")
        .prefetch_related("prizes")
        .order_by("closes_at", "pk")
        .first()
    )
    if draw is None:
        return {"draw": None}
    shares = qualifying_shares(draw=draw).filter(user=user).count()
    free = draw.free_entry_enabled and free_entry_requested(draw=draw, user=user)
    points = share_points = 0
    if draw.weighting == Draw.Weighting.POINTS:
        from leaderboard.selectors import points_by_user_between, points_rules_in_force

        points = points_by_user_between(start=draw.period_start, end=draw.period_end, campaign_id=draw.campaign_id)
        points, share_points = points.get(user.pk, 0), points_rules_in_force().share
    entries = entry_weight(draw=draw, shares=shares, points=points, share_points=share_points, free=free)
    return {
        "draw": draw,
        "draw_shares": shares,
        "draw_entries": entries,
        "draw_shares_needed": max(0, draw.minimum_shares - shares) if not free else 0,
    }


DRAW_STATES = ("upcoming", "open", "closed", "frozen", "drawn")


def home_draws_by_state(*, user, now: datetime) -> dict:
    """How many draws are in each state, and the ones HR has to act on (closed: freeze; frozen: draw). One query."""
    draws = list(
        Draw.objects.only("pk", "name", "opens_at", "closes_at", "frozen_at", "drawn_at").order_by("closes_at", "pk")
    )
    by_state: dict[str, list[Draw]] = {state: [] for state in DRAW_STATES}
    for draw in draws:
        by_state[draw_status(draw=draw, now=now)].append(draw)
    return {
        "draw_counts": [(state, len(by_state[state])) for state in DRAW_STATES],
        "draws_to_act_on": by_state["closed"] + by_state["frozen"],
    }
