"""Demo challenges: one finished (#WellnessWeek, with a promoted entry) and one open (#LaunchWeek)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from advocacy.people.models import User
from guidelines.services import caption_completed
from sharing.demo import demo_clicks_for
from sharing.models import Click, Share
from sharing.services import AcknowledgementRequired, ShareRefused

from .models import Challenge, Entry
from .services import (
    challenge_close,
    challenge_create,
    challenge_open,
    entry_create,
    entry_promote,
    entry_promotion_answer,
    entry_promotion_ask,
)

FINISHED = ("Wellness week", "#WellnessWeek", "How do you recharge during the week? A walk, a book, a recipe?")
OPEN = ("Launch week", "#LaunchWeek", "Share your favourite feature of the new release, in your own words.")
CAPTIONS = [
    "A lunchtime walk by the river resets my whole afternoon.",
    "Ten minutes of stretching between meetings, every day this week.",
    "Cooked my grandmother's soup for the team. Recharged!",
    "Offline mode means I can work on the train with no signal at all.",
    "The new search finds what I need before I finish typing.",
    "Dark mode, finally. My eyes thank the design team.",
]


def _enter(*, challenge, author, text, network, now):
    """entry_create, completing the caption with what the rules ask for (hashtag, disclosure) when it lacks it."""
    caption = f"{text} {challenge.hashtag}"
    for _ in range(2):
        try:
            return entry_create(challenge=challenge, author=author, caption=caption, network=network, now=now)
        except ShareRefused as refusal:
            if refusal.check is None:
                return None
            check = refusal.check
            caption = caption_completed(caption=caption, required=[*check.required_hashtags, check.disclosure])
        except AcknowledgementRequired:
            return None
    return None


@transaction.atomic
def seed(*, rng, now, log) -> None:
    comms = User.objects.filter(username="comms").first()
    if comms is None or Challenge.objects.filter(title__in=[FINISHED[0], OPEN[0]]).exists():
        log("challenges: demo challenges already there (or no comms login); nothing added")
        return
    # Employees only (not the comms and HR logins), in a fixed order so the rng picks the same people.
    people = list(User.objects.filter(is_active=True).exclude(username__in=["comms", "hr"]).order_by("pk")[:40])
    today = timezone.localdate(now)
    entries = 0
    for (title, hashtag, prompt), (start, end), finished in (
        (FINISHED, (today - timedelta(days=30), today - timedelta(days=24)), True),
        (OPEN, (today - timedelta(days=2), today + timedelta(days=5)), False),
    ):
        challenge = challenge_create(
            actor=comms, title=title, prompt=prompt, hashtag=hashtag, starts_on=start, ends_on=end
        )
        challenge = challenge_open(challenge=challenge, actor=comms, now=now - timedelta(days=31 if finished else 3))
        moment = now - timedelta(days=27) if finished else now - timedelta(hours=6)
        texts = CAPTIONS[:3] if finished else CAPTIONS[3:]
        for index, person in enumerate(rng.sample(people, min(len(people), 8))):
            entry = _enter(
                challenge=challenge,
                author=person,
                text=texts[index % len(texts)],
                network=["linkedin", "x", "facebook"][index % 3],
                now=moment + timedelta(minutes=index * 37),
            )
            if entry is None:
                continue
            entries += 1
            # Real click rows, like every demo share's, so the share's total is explained by them.
            share = Share.objects.get(pk=entry.share_id)
            clicks = [click for click in demo_clicks_for(share, rng=rng, now=now) if click.occurred_at >= moment]
            Click.objects.bulk_create(clicks)
            human = sum(1 for click in clicks if click.kind == Click.Kind.HUMAN)
            Share.objects.filter(pk=share.pk).update(human_clicks=human)
            if finished:
                Entry.objects.filter(pk=entry.pk).update(created_at=moment + timedelta(minutes=index * 37))
        if finished:
            first = Entry.objects.filter(challenge=challenge).order_by("pk").first()
            if first is not None:
                entry_promotion_ask(entry=first, actor=comms, now=now - timedelta(days=20))
                entry_promotion_answer(entry=first, author=first.author, consent=True, now=now - timedelta(days=19))
                entry_promote(entry=first, actor=comms, now=now - timedelta(days=18))
            challenge_close(challenge=challenge, actor=comms, now=now - timedelta(days=23))
    log(f"challenges: 2 challenges (one finished, one open), {entries} entries")
    # The entries' shares and clicks earn points as the workers would award them (the ledger's demo
    # ran before the draws these entries depend on); idempotent, so a second seeding adds nothing.
    from leaderboard.demo import seed as leaderboard_seed

    leaderboard_seed(rng=rng, now=now, log=log)
