"""Demo mentions for the challenges' hashtags, read from answers in the networks' documented formats.

Nothing pretends to be a network: the seeder builds a Bluesky ``searchPosts`` answer and a
Mastodon tag timeline answer (the shapes in listening/parsing.py), runs them through the same
parsers and the same ``mentions_store`` the collector uses, and marks the rows as demo data.
So the counts, the employees' share and the wall are whatever those answers add up to.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from advocacy.people.selectors import active_employees
from challenges.models import Challenge

from .models import Mention, Term
from .parsing import bluesky_mentions, mastodon_mentions
from .services import mentions_store

DEMO_INSTANCE = "mastodon.example"
OUTSIDERS = [
    ("Robin Reader", "robin-reads.bsky.social", "robin"),
    ("Sam from Hacker Weekly", "hackerweekly.bsky.social", "hackerweekly"),
    ("Jo Customer", "jo-uses-it.bsky.social", "jo"),
    ("Tech Daily", "techdaily.bsky.social", "techdaily"),
    ("Priya P.", "priya.bsky.social", "priya"),
]
LINES = [
    "Loving what I see from this team {tag}",
    "Shared this with my whole department {tag}",
    "This is the kind of thing more companies should do {tag}",
    "Our office joined in today! {tag}",
    "Great read, thanks for sharing {tag}",
    "A thread on why this matters {tag}",
]


def _did(handle: str) -> str:
    digest = hashlib.sha256(handle.encode()).hexdigest()
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return "did:plc:" + "".join(alphabet[int(digest[i : i + 2], 16) % 32] for i in range(0, 48, 2))


def bluesky_search_answer(posts: list[tuple[str, str, str, datetime]]) -> dict:
    """A searchPosts answer: (display name, handle, text, created at) per post."""
    views = []
    for name, handle, text, when in posts:
        rkey = hashlib.sha256(f"{handle}{text}{when.isoformat()}".encode()).hexdigest()[:13]
        did = _did(handle)
        stamp = when.isoformat().replace("+00:00", "Z")
        views.append(
            {
                "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
                "cid": "bafyrei" + rkey,
                "author": {"did": did, "handle": handle, "displayName": name},
                "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": stamp},
                "indexedAt": stamp,
                "likeCount": 0,
                "repostCount": 0,
                "replyCount": 0,
            }
        )
    return {"posts": views}


def mastodon_tag_answer(statuses: list[tuple[str, str, str, datetime]], *, instance: str = DEMO_INSTANCE) -> list:
    """A tag timeline answer: (display name, local username, text, created at) per status."""
    answer = []
    for index, (name, username, text, when) in enumerate(statuses):
        status_id = str(110_000_000_000_000_000 + int(when.timestamp()) * 100 + index)
        answer.append(
            {
                "id": status_id,
                "uri": f"https://{instance}/users/{username}/statuses/{status_id}",
                "created_at": when.isoformat().replace("+00:00", "Z"),
                "url": f"https://{instance}/@{username}/{status_id}",
                "content": f"<p>{text}</p>",
                "visibility": "public",
                "reblog": None,
                "account": {
                    "id": str(index + 1),
                    "username": username,
                    "acct": username,
                    "display_name": name,
                    "url": f"https://{instance}/@{username}",
                },
            }
        )
    return answer


def _moments(rng, *, start: datetime, end: datetime, count: int) -> list[datetime]:
    span = max((end - start).total_seconds(), 3600)
    return sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(count))


@transaction.atomic
def seed(*, rng, now, log) -> None:
    challenges = list(Challenge.objects.select_related("campaign").order_by("starts_on"))
    if not challenges or Mention.objects.filter(is_demo=True).exists():
        log("listening: demo mentions already there (or no challenges); nothing added")
        return
    employees = list(active_employees().exclude(bluesky_handle="", mastodon_handle="").order_by("pk").distinct())
    on_bluesky = [u for u in employees if u.bluesky_handle]
    on_mastodon = [u for u in employees if "@" in u.mastodon_handle.lstrip("@")]
    stored = 0
    for challenge in challenges:
        tag = challenge.hashtag
        term, _ = Term.objects.get_or_create(key=tag.casefold(), defaults={"kind": Term.Kind.HASHTAG, "value": tag})
        start = timezone.make_aware(datetime.combine(challenge.starts_on, datetime.min.time()))
        end = min(now, start + timedelta(days=(challenge.ends_on - challenge.starts_on).days + 2))
        bluesky, mastodon = [], []
        for when in _moments(rng, start=start, end=end, count=rng.randint(14, 22)):
            line = rng.choice(LINES).format(tag=tag)
            if rng.random() < 0.6:
                if on_bluesky and rng.random() < 0.4:
                    person = rng.choice(on_bluesky)
                    bluesky.append((person.name, person.bluesky_handle.lstrip("@").lower(), line, when))
                else:
                    name, handle, _ = rng.choice(OUTSIDERS)
                    bluesky.append((name, handle, line, when))
            elif on_mastodon and rng.random() < 0.4:
                person = rng.choice(on_mastodon)
                user, _, instance = person.mastodon_handle.lstrip("@").partition("@")
                if instance == DEMO_INSTANCE:
                    mastodon.append((person.name, user, line, when))
            else:
                name, _, username = rng.choice(OUTSIDERS)
                mastodon.append((name, username, line, when))
        mentions = bluesky_mentions(bluesky_search_answer(bluesky)) + mastodon_mentions(
            mastodon_tag_answer(mastodon), instance=DEMO_INSTANCE
        )
        stored += mentions_store(term=term, mentions=mentions, now=now, is_demo=True)
    employees_count = Mention.objects.filter(is_demo=True, employee__isnull=False).count()
    log(
        f"listening: {stored} demo mentions of {len(challenges)} hashtags from Bluesky and Mastodon answers, "
        f"{employees_count} by employees (marked as demo data)"
    )
