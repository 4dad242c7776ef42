"""Writes for reward draws: create, rules, freeze (commit), draw, redraw, free entry."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

from advocacy.people.models import User
from advocacy.people.roles import Role
from notifications.services import notify_draw_winner

from . import engine
from .models import Draw, Entrant, FreeEntryRequest, Prize, RulesVersion, Winner
from .selectors import (
    draw_status,
    entry_weights,
    prize_slots,
    removals_in_order,
    rules_locked,
)


@dataclass(frozen=True)
class PrizeSpec:
    description: str
    quantity: int = 1


def _validate_prizes(prizes: Sequence[PrizeSpec]) -> None:
    if not prizes:
        raise ValidationError({"prizes": gettext("Add at least one prize.")})
    for prize in prizes:
        if not prize.description.strip():
            raise ValidationError({"prizes": gettext("Every prize needs a description.")})
        if not 1 <= prize.quantity <= 1000:
            raise ValidationError({"prizes": gettext("A prize's quantity must be between 1 and 1000.")})


@transaction.atomic
def draw_create(
    *,
    name: str,
    prizes: Sequence[PrizeSpec],
    opens_at: datetime,
    closes_at: datetime,
    time_zone: str = "UTC",
    period_start: datetime,
    period_end: datetime,
    rules_text: str,
    created_by: User | None,
    campaign=None,
    minimum_shares: int = 0,
    require_policy_acknowledgement: bool = True,
    excluded_roles: Sequence[str] = (Role.COMMS_ADMIN.value, Role.HR.value),
    excluded_people: Sequence[User] = (),
    weighting: str = Draw.Weighting.PER_PERSON,
    weight_cap: int = 10,
    free_entry_enabled: bool = False,
    max_prizes_per_person: int = 1,
    public_randomness_source: str = "",
) -> Draw:
    """Create a draw with its prizes and the first version of its rules."""
    _validate_prizes(prizes)
    unknown = sorted(set(excluded_roles) - {role.value for role in Role})
    if unknown:
        raise ValidationError({"excluded_roles": gettext("Unknown roles: %(roles)s.") % {"roles": ", ".join(unknown)}})
    if not rules_text.strip():
        raise ValidationError({"rules_text": gettext("Write the official rules.")})
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": gettext("The entry window must close after it opens.")})
    if period_end <= period_start:
        raise ValidationError({"period_end": gettext("The eligibility period must end after it starts.")})
    if not 1 <= max_prizes_per_person <= 10:
        raise ValidationError({"max_prizes_per_person": gettext("A person may win between 1 and 10 prizes.")})
    if weight_cap < 1:
        raise ValidationError({"weight_cap": gettext("The cap must be at least 1.")})
    draw = Draw(
        name=name,
        opens_at=opens_at,
        closes_at=closes_at,
        time_zone=time_zone,
        period_start=period_start,
        period_end=period_end,
        campaign=campaign,
        minimum_shares=minimum_shares,
        require_policy_acknowledgement=require_policy_acknowledgement,
        excluded_roles=list(excluded_roles),
        weighting=weighting,
        weight_cap=weight_cap,
        free_entry_enabled=free_entry_enabled,
        max_prizes_per_person=max_prizes_per_person,
        public_randomness_source=public_randomness_source.strip(),
        created_by=created_by,
    )
    draw.full_clean(exclude=["excluded_people"])
    draw.save()
    draw.excluded_people.set(excluded_people)
    Prize.objects.bulk_create(
        Prize(draw=draw, position=index, description=prize.description.strip(), quantity=prize.quantity)
        for index, prize in enumerate(prizes)
    )
    RulesVersion.objects.create(draw=draw, number=1, text=rules_text, created_by=created_by)
    return draw


@transaction.atomic
def rules_update(*, draw: Draw, text: str, by: User | None, now: datetime | None = None) -> RulesVersion:
    """Add a new version of the official rules; refused once the entry window has opened."""
    draw = Draw.objects.select_for_update().get(pk=draw.pk)
    if rules_locked(draw=draw, now=now):
        raise ValidationError({"text": gettext("The rules are locked: the entry window has opened.")})
    if not text.strip():
        raise ValidationError({"text": gettext("Write the official rules.")})
    latest = draw.rules_versions.order_by("-number").first()
    if latest is not None and latest.text == text:
        return latest
    number = (latest.number if latest else 0) + 1
    return RulesVersion.objects.create(draw=draw, number=number, text=text, created_by=by)


@transaction.atomic
def free_entry_request_create(*, draw: Draw, user: User, now: datetime | None = None) -> FreeEntryRequest:
    """Enter without sharing (counts like one share); only while the window is open."""
    if not draw.free_entry_enabled:
        raise ValidationError(gettext("This draw has no free entry."))
    if draw_status(draw=draw, now=now) != "open":
        raise ValidationError(gettext("Entries are only accepted while the draw is open."))
    request, _ = FreeEntryRequest.objects.get_or_create(draw=draw, user=user)
    return request


@transaction.atomic
def draw_close_now(*, draw: Draw, now: datetime | None = None) -> Draw:
    """HR ends the entry window early (then freezes it)."""
    now = now or timezone.now()
    draw = Draw.objects.select_for_update().get(pk=draw.pk)
    if draw.is_frozen:
        return draw
    if now < draw.opens_at:
        raise ValidationError(gettext("This draw has not opened yet."))
    if now < draw.closes_at:
        draw.closes_at = now
        draw.save(update_fields=["closes_at"])
    return draw


@transaction.atomic
def draw_freeze(*, draw: Draw, now: datetime | None = None) -> Draw:
    """Freeze the entrant list and publish the commitment once the window has closed; safe to run twice.

    Makes the per-draw entrant key and the secret seed, writes one Entrant row per
    person and stores the canonical list with SHA-256 of it and of the seed. The seed is
    stored sealed with the server's SECRET_KEY until the draw, so reading the database
    alone does not tell anyone the outcome in advance.
    """
    now = now or timezone.now()
    draw = Draw.objects.select_for_update().get(pk=draw.pk)
    if draw.is_frozen:
        return draw
    if now < draw.closes_at:
        raise ValidationError(gettext("The entry window has not closed yet."))
    weights = entry_weights(draw=draw)
    entrant_key = engine.new_secret()
    ids = engine.entrant_ids_for(
        entrant_key=entrant_key, draw_id=draw.engine_id, person_ids=[w.user_id for w in weights]
    )
    frozen = engine.freeze(draw_id=draw.engine_id, entrants=[(ids[w.user_id], w.weight) for w in weights])
    Entrant.objects.bulk_create(
        (
            Entrant(
                draw=draw,
                user_id=w.user_id,
                entrant_id=ids[w.user_id],
                weight=w.weight,
                shares=w.shares,
                free_entry=w.free_entry,
            )
            for w in weights
        ),
        batch_size=2000,
    )
    draw.frozen_at = now
    draw.list_text = frozen.list_bytes.decode()
    draw.list_sha256 = frozen.list_sha256
    draw.seed_hex = _sealed(frozen.seed, draw=draw, secret=settings.SECRET_KEY).hex()
    draw.seed_sha256 = frozen.seed_sha256
    draw.entrant_key_hex = entrant_key.hex()
    draw.entrant_count = frozen.entrant_count
    draw.total_weight = frozen.total_weight
    draw.save()
    return draw


def _sealed(seed: bytes, *, draw: Draw, secret: str) -> bytes:
    """The seed XOR a pad only this server's key makes (applying it twice gives the seed back)."""
    pad = salted_hmac("draws.seed-seal", draw.engine_id, secret=secret, algorithm="sha256").digest()
    return bytes(a ^ b for a, b in zip(seed, pad, strict=True))


def _seed_for_drawing(draw: Draw) -> bytes:
    """The seed committed to at freeze time, unsealed; a clear error if this server cannot open it."""
    stored = bytes.fromhex(draw.seed_hex)
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        seed = _sealed(stored, draw=draw, secret=secret)
        if engine.sha256_hex(seed) == draw.seed_sha256:
            return seed
    if engine.sha256_hex(stored) == draw.seed_sha256:  # frozen before seeds were sealed
        return stored
    raise ValidationError(
        gettext(
            "The draw's sealed seed does not open with this server's SECRET_KEY: the key has changed since "
            "the list was frozen. Add the previous key to SECRET_KEY_FALLBACKS and draw again."
        )
    )


def _order(draw: Draw) -> list[engine.Lane]:
    _, order = engine.draw_order(
        draw_id=draw.engine_id,
        list_bytes=draw.list_text.encode(),
        seed=bytes.fromhex(draw.seed_hex),
        public_value=draw.public_randomness_value,
        lanes=draw.max_prizes_per_person,
    )
    return order


def _add_winners(draw: Draw, assignments, *, only_slots=None) -> list[Winner]:
    slots = prize_slots(draw=draw)
    entrants = {e.entrant_id: e for e in Entrant.objects.filter(draw=draw)}
    winners = [
        Winner(
            draw=draw,
            prize=slots[a.slot],
            slot=a.slot,
            entrant=entrants[a.entrant_id],
            position=a.position,
        )
        for a in assignments
        if a.entrant_id is not None and (only_slots is None or a.slot in only_slots)
    ]
    Winner.objects.bulk_create(winners)
    created = list(Winner.objects.filter(draw=draw, position__in=[w.position for w in winners]))
    for winner in created:
        transaction.on_commit(lambda pk=winner.pk: _queue_notification(pk))
        notify_draw_winner(winner_id=winner.pk)
    return created


def _queue_notification(winner_id: int) -> None:
    from .tasks import notify_winner

    notify_winner.delay(winner_id)


@transaction.atomic
def draw_run(
    *,
    draw: Draw,
    by: User | None,
    public_value: str = "",
    confirm_no_entrants: bool = False,
    now: datetime | None = None,
) -> Draw:
    """Reveal the seed and compute the winners from the frozen list, the seed, the public value and the draw id.

    A draw nobody entered gives no prize and cannot be undone, so drawing it needs
    ``confirm_no_entrants`` as well (a second, explicit confirmation).
    """
    now = now or timezone.now()
    draw = Draw.objects.select_for_update().get(pk=draw.pk)
    if draw.is_drawn:
        raise ValidationError(gettext("This draw has already been drawn."))
    if not draw.is_frozen:
        raise ValidationError(gettext("Freeze the entrant list before drawing."))
    if draw.entrant_count == 0 and not confirm_no_entrants:
        raise ValidationError(
            {
                "confirm_no_entrants": (
                    gettext(
                        "Nobody entered this draw: drawing it now gives no prize to anyone and cannot be undone. "
                        "Tick the box to confirm that you want to draw it with 0 entrants."
                    )
                )
            }
        )
    public_value = public_value.strip()
    if draw.public_randomness_source and not public_value:
        raise ValidationError(
            {
                "public_value": gettext("Enter the public value that was announced: %(source)s.")
                % {"source": draw.public_randomness_source}
            }
        )
    if not draw.public_randomness_source and public_value:
        raise ValidationError({"public_value": gettext("This draw committed to no public value; leave it empty.")})
    seed = _seed_for_drawing(draw)
    draw.public_randomness_value = public_value
    mix, order = engine.draw_order(
        draw_id=draw.engine_id,
        list_bytes=draw.list_text.encode(),
        seed=seed,
        public_value=public_value,
        lanes=draw.max_prizes_per_person,
    )
    draw.seed_hex = seed.hex()  # revealed from now on, for anyone to verify
    draw.mix = mix.hex()
    draw.drawn_at = now
    draw.drawn_by = by
    draw.save(update_fields=["public_randomness_value", "seed_hex", "mix", "drawn_at", "drawn_by"])
    _add_winners(draw, engine.assign_prizes(order, prize_count=len(prize_slots(draw=draw))))
    return draw


@transaction.atomic
def winner_redraw(
    *, winner: Winner, status: str, reason: str, by: User | None, now: datetime | None = None
) -> list[Winner]:
    """Remove a winner who declined or is ineligible (logging HR's reason); their prize goes to the next in order.

    Returns the new winner rows (none when the ordering has run out).
    """
    if status not in (Winner.Status.DECLINED, Winner.Status.INELIGIBLE):
        raise ValidationError({"status": gettext("Say whether the winner declined or is ineligible.")})
    if not reason.strip():
        raise ValidationError({"reason": gettext("Give the reason for the redraw; it is kept in the log.")})
    draw = Draw.objects.select_for_update().get(pk=winner.draw_id)
    winner = Winner.objects.select_related("entrant").get(pk=winner.pk)
    if not winner.is_current:
        raise ValidationError(gettext("This winner has already been replaced."))
    removals = [*removals_in_order(draw=draw), winner.entrant.entrant_id]
    number = len(removals)
    removed = Winner.objects.filter(draw=draw, entrant=winner.entrant, status=Winner.Status.WON)
    removed_slots = set(removed.values_list("slot", flat=True))
    # Every lane this person held goes; numbering only the chosen row keeps one log entry per removal.
    removed.exclude(pk=winner.pk).update(status=status, removed_by=by, removed_at=now or timezone.now())
    Winner.objects.filter(pk=winner.pk).update(
        status=status,
        removal_number=number,
        removal_reason=reason.strip(),
        removed_by=by,
        removed_at=now or timezone.now(),
    )
    assignments = engine.assign_prizes(_order(draw), prize_count=len(prize_slots(draw=draw)), removals=removals)
    return _add_winners(draw, assignments, only_slots=removed_slots)
