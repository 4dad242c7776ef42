"""Writes for listening: comms add and remove terms; the collector stores mentions and recounts days."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext

from advocacy.networks import Network
from advocacy.people.roles import COMMS_WORKSPACE
from advocacy.shapes import bluesky_handle_validate, hashtag_clean

from . import readers
from .models import Mention, MentionDay, Source, Term
from .parsing import RemoteMention
from .selectors import employee_handle_index

logger = logging.getLogger(__name__)


def _require_comms(actor) -> None:
    if actor is None or not actor.is_active or not actor.has_perm(COMMS_WORKSPACE):
        raise PermissionDenied("Only comms admins choose what we listen for.")


def term_clean(*, kind: str, value: str) -> str:
    """The term as it is stored, or ValidationError({"value": …}) saying what is wrong with it."""
    value = (value or "").strip()
    if kind == Term.Kind.HASHTAG:
        try:
            return hashtag_clean(value)
        except ValidationError as exc:
            raise ValidationError({"value": exc.messages}) from None
    if kind == Term.Kind.HANDLE:
        handle = value.lstrip("@").lower()
        if handle.count("@"):
            raise ValidationError(
                {
                    "value": gettext(
                        "Mastodon shows mentions of an account only to that account; listen for a hashtag there."
                    )
                }
            )
        try:
            bluesky_handle_validate(handle)
        except ValidationError as exc:
            raise ValidationError({"value": exc.messages}) from None
        return handle
    raise ValidationError({"kind": gettext("Choose a hashtag or a Bluesky handle.")})


@transaction.atomic
def term_add(*, actor, kind: str, value: str) -> Term:
    """Start listening for a hashtag or handle; adding one we already listen for is refused, saying so."""
    _require_comms(actor)
    cleaned = term_clean(kind=kind, value=value)
    key = cleaned.casefold()
    if Term.objects.filter(key=key).exists():
        raise ValidationError({"value": gettext("We already listen for %(value)s.") % {"value": cleaned}})
    return Term.objects.create(kind=kind, value=cleaned, key=key, created_by=actor)


@transaction.atomic
def term_remove(*, actor, term: Term) -> None:
    """Stop listening; the term's counts go with it, mentions other terms found stay."""
    _require_comms(actor)
    mentions = list(term.mentions.values_list("pk", flat=True))
    term.delete()
    Mention.objects.filter(pk__in=mentions, terms=None).delete()


# --- Collecting ---------------------------------------------------------------------


def _local_day_bounds(day) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time()))


def mention_days_recount(*, term: Term, network: str, days) -> None:
    """Set each day's counts from the stored mentions: recounting twice gives the same numbers."""
    for day in sorted(set(days)):
        start, end = _local_day_bounds(day)
        totals = Mention.objects.filter(terms=term, network=network, posted_at__gte=start, posted_at__lt=end).aggregate(
            mentions=Count("pk"), by_employees=Count("pk", filter=Q(employee__isnull=False))
        )
        MentionDay.objects.update_or_create(term=term, network=network, day=day, defaults=totals)


@transaction.atomic
def mentions_store(
    *, term: Term, mentions: list[RemoteMention], now: datetime | None = None, is_demo: bool = False
) -> int:
    """Store each mention once (by network and remote id), tie it to ``term`` and recount its days.

    Returns how many mentions were new. An author whose handle matches one an employee declared
    on their profile or published a share from is counted as that employee.
    """
    now = now or timezone.now()
    unique = {(m.network, m.remote_id): m for m in mentions}
    if not unique:
        return 0
    handles = employee_handle_index()
    existing = {
        pair
        for pair in Mention.objects.filter(
            network__in={network for network, _ in unique}, remote_id__in=[remote for _, remote in unique]
        ).values_list("network", "remote_id")
        if pair in unique
    }
    fresh = []
    for key, mention in unique.items():
        if key in existing:
            continue
        employee_id = next((handles[k] for k in sorted(mention.author_keys) if k in handles), None)
        fresh.append(
            Mention(
                network=mention.network,
                remote_id=mention.remote_id,
                url=mention.url,
                author_handle=mention.author_handle,
                author_name=mention.author_name,
                text_html=mention.text_html,
                posted_at=mention.posted_at,
                collected_at=now,
                employee_id=employee_id,
                is_demo=is_demo,
            )
        )
    # A parallel run may have stored some of them first: theirs stand.
    Mention.objects.bulk_create(fresh, ignore_conflicts=True)
    stored = Mention.objects.filter(
        network__in={network for network, _ in unique}, remote_id__in=[remote for _, remote in unique]
    ).values_list("pk", "network", "remote_id")
    ids = [pk for pk, network, remote in stored if (network, remote) in unique]
    term.mentions.add(*ids)
    affected: dict[str, set] = {}
    for row in (
        Mention.objects.filter(pk__in=ids).annotate(day=TruncDate("posted_at")).values("network", "day").distinct()
    ):
        affected.setdefault(row["network"], set()).add(row["day"])
    for network, days in affected.items():
        mention_days_recount(term=term, network=network, days=days)
    return len(ids) - len(existing)


@dataclass
class Collection:
    new: int = 0
    errors: list[str] = field(default_factory=list)


def _source(network: str, instance: str = "") -> Source:
    source, _ = Source.objects.get_or_create(network=network, instance=instance)
    return source


def _record(source: Source, read: readers.Read, now: datetime) -> None:
    if read.ok:
        Source.objects.filter(pk=source.pk).update(last_success_at=now, paused_until=None)
        return
    logger.warning("Listening: %s; asked again at the next run.", read.error)
    paused = now + timedelta(seconds=read.retry_after) if read.retry_after else None
    Source.objects.filter(pk=source.pk).update(last_failure_at=now, last_error=read.error[:300], paused_until=paused)


def _known(network: str):
    def known(page: list[RemoteMention]) -> bool:
        return Mention.objects.filter(network=network, remote_id__in=[m.remote_id for m in page]).exists()

    return known


def mentions_collect(*, term: Term, now: datetime | None = None) -> Collection:
    """Read the networks for one term and store what they answer; failures are recorded, never raised.

    Bluesky is searched for hashtags and handles; each of LISTENING_MASTODON_INSTANCES is read for
    hashtags (Mastodon has no public search for mentions of an account). A source paused by a
    429 is skipped until its pause ends; everything else is asked again at the next run.
    """
    now = now or timezone.now()
    result = Collection()
    reads: list[tuple[Source, object]] = []
    if settings.LISTENING_BLUESKY_SEARCH_URL:
        reads.append(
            (
                _source(Network.BLUESKY),
                lambda: readers.bluesky_search(
                    term=term.value, is_handle=term.kind == Term.Kind.HANDLE, known=_known(Network.BLUESKY)
                ),
            )
        )
    if term.kind == Term.Kind.HASHTAG:
        for instance, base_url in settings.LISTENING_MASTODON_INSTANCES.items():
            reads.append(
                (
                    _source(Network.MASTODON, instance),
                    lambda instance=instance, base_url=base_url: readers.mastodon_tag_timeline(
                        instance=instance, base_url=base_url, hashtag=term.value, known=_known(Network.MASTODON)
                    ),
                )
            )
    for source, read_source in reads:
        if source.paused_until and source.paused_until > now:
            continue
        try:
            read = read_source()
        except Exception as exc:  # an answer we did not foresee must not stop the other sources
            logger.exception("Listening: reading %s failed", source)
            read = readers.Read(error=f"{source}: unexpected {type(exc).__name__}")
        if read.mentions:
            result.new += mentions_store(term=term, mentions=read.mentions, now=now)
        _record(source, read, now)
        if not read.ok:
            result.errors.append(read.error)
    return result
