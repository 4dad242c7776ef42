"""Reads for challenges: what is open, a challenge's entries, its hashtag board, and the draws it feeds."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from draws.models import Draw
from sharing.models import Share

from .models import Challenge, Entry


def challenge_is_open(*, challenge: Challenge, now: datetime | None = None) -> bool:
    """Open for entries: opened by comms and today (local time) between its first and last day."""
    today = timezone.localdate(now or timezone.now())
    return challenge.status == Challenge.Status.OPEN and challenge.starts_on <= today <= challenge.ends_on


def challenges_for_employees() -> QuerySet[Challenge]:
    """Open and closed challenges (never drafts), newest first, each with its number of entries."""
    return (
        Challenge.objects.exclude(status=Challenge.Status.DRAFT)
        .select_related("campaign")
        .annotate(entry_count=Count("entries"))
        .order_by("-starts_on", "-id")
    )


def challenge_list_for_comms() -> QuerySet[Challenge]:
    return (
        Challenge.objects.select_related("campaign")
        .annotate(entry_count=Count("entries"))
        .order_by("-starts_on", "-id")
    )


def challenge_get_for_employee(*, slug: str) -> Challenge:
    challenge = (
        Challenge.objects.select_related("campaign").exclude(status=Challenge.Status.DRAFT).filter(slug=slug).first()
    )
    if challenge is None:
        raise Http404("No such challenge.")
    return challenge


def challenge_get_for_comms(*, slug: str) -> Challenge:
    challenge = Challenge.objects.select_related("campaign", "created_by").filter(slug=slug).first()
    if challenge is None:
        raise Http404("No such challenge.")
    return challenge


def _entries() -> QuerySet[Entry]:
    return Entry.objects.select_related(
        "author", "author__team", "post", "post__video", "share", "promoted_post"
    ).prefetch_related("post__images")


def entries_for_challenge(*, challenge: Challenge) -> QuerySet[Entry]:
    """The challenge's entries by active people, newest first, with what the wall shows loaded."""
    return _entries().filter(challenge=challenge, author__is_active=True).order_by("-created_at", "-id")


def entries_for_author(*, user) -> QuerySet[Entry]:
    return (
        _entries().select_related("challenge", "challenge__campaign").filter(author=user).order_by("-created_at", "-id")
    )


def entry_get_for_author(*, user, entry_id: int) -> Entry:
    entry = entries_for_author(user=user).filter(pk=entry_id).first()
    if entry is None:
        raise Http404("No such entry.")
    return entry


def entry_get_for_comms(*, challenge: Challenge, entry_id: int) -> Entry:
    entry = _entries().filter(challenge=challenge, pk=entry_id).first()
    if entry is None:
        raise Http404("No such entry.")
    return entry


@dataclass(frozen=True)
class BoardRow:
    rank: int
    user_id: int
    name: str
    team: str
    entries: int
    human_clicks: int
    entry_points: int

    @property
    def score(self) -> int:
        """Entries × CHALLENGE_ENTRY_POINTS + human clicks on the entries' tracked links."""
        return self.entry_points + self.human_clicks


def challenge_board(*, challenge: Challenge, limit: int = 50) -> list[BoardRow]:
    """The challenge's hashtag board: people ranked by entries and the human clicks their entries' links earned.

    Every number is explainable: entries are rows of Entry, clicks are the counted human
    clicks of the shares of each entry's post (sharing's Click ledger drained into Share.human_clicks).
    Deactivated people are left off. One query.
    """
    per_entry = settings.CHALLENGE_ENTRY_POINTS
    people = (
        Entry.objects.filter(challenge=challenge, author__is_active=True)
        .values("author_id", "author__display_name", "author__username", "author__team__name")
        .annotate(entries=Count("pk", distinct=True), clicks=Coalesce(Sum("post__shares__human_clicks"), 0))
    )
    rows = sorted(
        people,
        key=lambda row: (-(row["entries"] * per_entry + row["clicks"]), -row["clicks"], row["author_id"]),
    )[:limit]
    board, rank, previous = [], 0, None
    for position, row in enumerate(rows, start=1):
        score = (row["entries"] * per_entry + row["clicks"], row["clicks"])
        if score != previous:
            rank, previous = position, score
        board.append(
            BoardRow(
                rank=rank,
                user_id=row["author_id"],
                name=row["author__display_name"] or row["author__username"],
                team=row["author__team__name"] or "",
                entries=row["entries"],
                human_clicks=row["clicks"],
                entry_points=row["entries"] * per_entry,
            )
        )
    return board


def draws_for_challenge(*, challenge: Challenge, now: datetime | None = None) -> QuerySet[Draw]:
    """Draws not yet frozen whose eligibility counts the entries' shares (any campaign, or the challenge's)."""
    now = now or timezone.now()
    return (
        Draw.objects.filter(frozen_at__isnull=True, closes_at__gt=now)
        .filter(Q(campaign__isnull=True) | Q(campaign_id=challenge.campaign_id))
        .defer("list_text")
        .order_by("closes_at", "id")
    )


def entry_shares(*, entry: Entry) -> QuerySet[Share]:
    """Every share of the entry's post (the first one, and any made on other networks since)."""
    return Share.objects.filter(post_id=entry.post_id).order_by("network")
