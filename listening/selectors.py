"""Reads for listening: who among the authors is an employee, the wall, the chart and the terms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from advocacy.networks import Network
from advocacy.people.selectors import active_employees
from sharing.models import Share

from .models import Mention, MentionDay, Source, Term
from .parsing import mastodon_account_key


def employee_handle_index() -> dict[str, int]:
    """Every identifier an active employee is known by on Bluesky and Mastodon → their user id.

    Declared: the handles on their profile. Used: the authors of the posts they pasted back
    after sharing (Bluesky handle or DID, Mastodon ``user@host`` from the post's URL). Two queries.
    """
    index: dict[str, int] = {}
    people = active_employees().filter(~Q(bluesky_handle="") | ~Q(mastodon_handle=""))
    for user_id, bluesky, mastodon in people.values_list("pk", "bluesky_handle", "mastodon_handle").distinct():
        if bluesky:
            index[bluesky.strip().lstrip("@").lower()] = user_id
        if mastodon and "@" in mastodon.strip().lstrip("@"):
            index[mastodon.strip().lstrip("@").lower()] = user_id
    shares = Share.objects.filter(network__in=[Network.BLUESKY, Network.MASTODON], user__in=active_employees()).exclude(
        published_url=""
    )
    for user_id, network, author, url, post_id in shares.values_list(
        "user_id", "network", "published_author", "published_url", "published_post_id"
    ):
        if network == Network.BLUESKY:
            if author:
                index.setdefault(author.lower(), user_id)
            if post_id.startswith("at://did:"):
                index.setdefault(post_id.split("/")[2].lower(), user_id)
        elif author and (host := urlsplit(url).hostname):
            index.setdefault(mastodon_account_key(author, instance=host), user_id)
    return index


def terms_list() -> QuerySet[Term]:
    """Every term, with how many mentions it found in all (one query)."""
    return Term.objects.annotate(mention_count=Count("mentions")).order_by("kind", "key")


def terms_exist() -> bool:
    return Term.objects.exists()


def term_get(*, term_id: int) -> Term:
    term = Term.objects.filter(pk=term_id).first()
    if term is None:
        raise Http404("No such term.")
    return term


def mention_wall(*, limit: int | None = None) -> QuerySet[Mention]:
    """The latest mentions, newest first, with the employee who wrote one (one query)."""
    return Mention.objects.select_related("employee").order_by("-posted_at", "-id")[
        : limit or settings.LISTENING_WALL_SIZE
    ]


def employee_share(*, mentions: int, by_employees: int) -> int | None:
    """Per cent of mentions written by employees, rounded; None when there are no mentions to share."""
    return round(100 * by_employees / mentions) if mentions else None


@dataclass(frozen=True)
class Day:
    day: date
    mentions: int
    by_employees: int

    @property
    def employee_share(self) -> int | None:
        return employee_share(mentions=self.mentions, by_employees=self.by_employees)


def mentions_by_day(*, days: int = 30, today: date | None = None) -> list[Day]:
    """Each of the last ``days`` local days (oldest first, empty days included): distinct mentions and
    how many of them employees wrote. A post matching two terms is one mention here. One query."""
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    rows = (
        Mention.objects.filter(posted_at__gte=start)
        .annotate(day=TruncDate("posted_at"))
        .values("day")
        .annotate(mentions=Count("pk"), by_employees=Count("pk", filter=Q(employee__isnull=False)))
    )
    counted = {row["day"]: row for row in rows}
    series = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        row = counted.get(day, {})
        series.append(Day(day, row.get("mentions", 0), row.get("by_employees", 0)))
    return series


def term_network_totals(*, days: int = 30, today: date | None = None) -> list[dict]:
    """Per term and network over the last ``days``: mentions and by employees, from the daily counts (one query)."""
    today = today or timezone.localdate()
    return list(
        MentionDay.objects.filter(day__gt=today - timedelta(days=days))
        .values("term__value", "network")
        .annotate(mentions=Sum("mentions"), by_employees=Sum("by_employees"))
        .order_by("-mentions", "term__value", "network")
    )


def sources_list() -> QuerySet[Source]:
    return Source.objects.order_by("network", "instance")
