"""Demo draws: one finished and verifiable (with one logged redraw), one open for entries."""

from datetime import timedelta

from django.db import transaction

from advocacy.people.models import User

from .models import Draw, Winner
from .services import PrizeSpec, draw_create, draw_freeze, draw_run, winner_redraw

FINISHED = "Spring sharing draw"
OPEN = "Summer advocates draw"
RULES = "\n".join(
    [
        "Who may enter: active employees, except the comms and HR teams{acknowledgement}.",
        "Dates: entries from {opens} to {closes} ({zone}).",
        "Prizes: {prizes}.",
        "Odds: {odds}",
        "How winners are chosen: when entries close the entrant list is frozen and its SHA-256 is published with"
        " the SHA-256 of a secret seed; the draw then reveals the seed and computes the winners by weighted"
        " sampling without replacement (Efraimidis-Spirakis keyed by SHA-256). A winner who declines or is"
        " ineligible is replaced by the next person in the same order.",
        "Where winners are published: on this draw's page, under a pseudonym for anyone hiding from"
        " leaderboards; anyone can verify the draw on its verification page.",
        "Entering is free and voluntary.{free_entry}",
    ]
)


@transaction.atomic
def seed(*, rng, now, log) -> None:
    hr = User.objects.filter(username="hr").first()
    created = 0
    if not Draw.objects.filter(name=FINISHED).exists():
        opens, closes = now - timedelta(days=40), now - timedelta(days=10)
        draw = draw_create(
            name=FINISHED,
            prizes=[PrizeSpec("Noise-cancelling headphones"), PrizeSpec("Bookshop voucher (€50)", 2)],
            opens_at=opens,
            closes_at=closes,
            time_zone="Europe/Paris",
            period_start=opens,
            period_end=closes,
            rules_text=RULES.format(
                opens=f"{opens:%Y-%m-%d}",
                closes=f"{closes:%Y-%m-%d}",
                zone="Europe/Paris",
                prizes="1 × headphones, 2 × bookshop voucher",
                odds="one entry per eligible person, so each has the same chance.",
                acknowledgement="",
                free_entry="",
            ),
            created_by=hr,
            require_policy_acknowledgement=False,
            weighting=Draw.Weighting.PER_PERSON,
            public_randomness_source="Demo: the Lyon office's lucky number, announced after entries close",
        )
        draw_freeze(draw=draw, now=closes + timedelta(minutes=1))
        draw = draw_run(
            draw=draw,
            by=hr,
            public_value=f"lucky number {rng.randrange(10_000):04d}",
            confirm_no_entrants=True,  # a demo without sharers still gets its drawn draw
            now=closes + timedelta(days=1),
        )
        first = Winner.objects.filter(draw=draw, status=Winner.Status.WON).order_by("slot").first()
        if first is not None:
            winner_redraw(
                winner=first,
                status=Winner.Status.DECLINED,
                reason="Already owns the same headphones and asked to pass the prize on.",
                by=hr,
                now=closes + timedelta(days=2),
            )
        created += 1
    if not Draw.objects.filter(name=OPEN).exists():
        opens, closes = now - timedelta(days=3), now + timedelta(days=11)
        draw_create(
            name=OPEN,
            prizes=[PrizeSpec("Conference ticket of your choice"), PrizeSpec("Team lunch voucher", 3)],
            opens_at=opens,
            closes_at=closes,
            time_zone="Europe/Paris",
            period_start=opens,
            period_end=closes,
            rules_text=RULES.format(
                opens=f"{opens:%Y-%m-%d}",
                closes=f"{closes:%Y-%m-%d}",
                zone="Europe/Paris",
                prizes="1 × conference ticket, 3 × team lunch voucher",
                odds="one entry per share made during the draw (at most 5), a free entry counts as one share.",
                acknowledgement=", who have acknowledged the current social media policy",
                free_entry=" Sharing is not required: request a free entry while the draw is open.",
            ),
            created_by=hr,
            weighting=Draw.Weighting.PER_SHARE,
            weight_cap=5,
            free_entry_enabled=True,
            public_randomness_source="drand quicknet: the first round after entries close",
        )
        created += 1
    log(f"draws: {created} draws created, {Draw.objects.count()} in total")
