"""Writes for sharing: shares, published-post URLs, and clicks (direct, drained, tallied, purged)."""

# The SQL here is assembled from model table names and fixed column lists; values are always parameters.
# ruff: noqa: S608

import logging
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import redis
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from advocacy.networks import Network
from content_library.models import Post
from content_library.selectors import post_shareable_q
from guidelines.selectors import acknowledgement_required, policy_version_current
from guidelines.services import caption_check

from . import clickstream
from .links import code_generate
from .models import Click, Share, Verification
from .published_posts import VERIFIABLE_NETWORKS, published_post_parse
from .selectors import address_human_clicks, click_seen_recently

logger = logging.getLogger(__name__)

CODE_ATTEMPTS = 8


class AcknowledgementRequired(Exception):
    """The person must acknowledge the current social media policy before sharing."""


@dataclass
class ShareRefused(Exception):
    """The share breaks a rule; `problems` are messages to show the person, who keeps their caption."""

    problems: list[str] = field(default_factory=list)
    # The guidelines' CaptionCheck when the caption was the problem, so the editor can show it.
    check: object | None = None

    def __str__(self) -> str:
        return " ".join(self.problems)


@transaction.atomic
def share_create(
    *,
    user,
    post: Post,
    network: str,
    caption: str,
    visitor_hash: str = "",
    submission: str = "",
    now: datetime | None = None,
) -> tuple[Share, bool]:
    """Record that `user` shares `post` on `network` with `caption`; returns (share, created).

    The caption goes through the guidelines' caption check, the one place caption rules
    live; a refusal raises ShareRefused with its reasons. Sharing the same post to the same
    network again updates the caption, time and policy version and keeps the tracked link,
    so it never counts twice. `visitor_hash` is the sharer's own visitor hash today, so their
    clicks on their own link are not counted. `submission` is the share form's one-time token:
    the same token with the same caption again (a double click, a resent form) returns the
    share as it is instead of sharing it a second time.
    """
    now = now or timezone.now()
    if network not in Network.values:
        raise ShareRefused([f"{network!r} is not a network we share to."])
    if not Post.objects.filter(post_shareable_q(user=user, now=now), pk=post.pk).exists():
        raise ShareRefused(["This post is not in your library any more."])
    if acknowledgement_required(user=user):
        raise AcknowledgementRequired
    if network == Network.MASTODON and not user.mastodon_instance:
        raise ShareRefused(["Add your Mastodon handle (@you@your.instance) so we can open your own instance."])
    check = caption_check(post=post, network=network, caption=caption)
    if not check.ok:
        raise ShareRefused([problem.message for problem in check.problems], check=check)
    policy_version = policy_version_current()

    share = Share.objects.select_for_update().filter(user=user, post=post, network=network).first()
    created = share is None
    if share is not None and submission and share.last_submission == submission and share.caption == caption:
        return share, False
    if share is not None:
        share.caption = caption
        share.last_submission = submission
        share.last_shared_at = now
        share.times_shared = F("times_shared") + 1
        share.policy_version = policy_version
        if visitor_hash:
            share.sharer_visitor_hash = visitor_hash
        share.save(
            update_fields=[
                "caption",
                "last_submission",
                "last_shared_at",
                "times_shared",
                "policy_version",
                "sharer_visitor_hash",
            ]
        )
        share.refresh_from_db(fields=["times_shared"])
    else:
        share, created = _share_insert(
            user=user,
            post=post,
            network=network,
            caption=caption,
            policy_version=policy_version,
            visitor_hash=visitor_hash,
            submission=submission,
            now=now,
        )
    code = share.code
    transaction.on_commit(lambda: clickstream.link_forget(code))
    return share, created


def _share_insert(*, user, post, network, caption, policy_version, visitor_hash, submission, now) -> tuple[Share, bool]:
    for _ in range(CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                share = Share.objects.create(
                    user=user,
                    post=post,
                    network=network,
                    caption=caption,
                    policy_version=policy_version,
                    sharer_visitor_hash=visitor_hash,
                    last_submission=submission,
                    code=code_generate(),
                    last_shared_at=now,
                )
            return share, True
        except IntegrityError:
            # A parallel request shared the same post to the same network first: that share stands.
            existing = Share.objects.filter(user=user, post=post, network=network).first()
            if existing is not None:
                return existing, False
            # Otherwise the code collided with another share's: draw again.
    raise RuntimeError("Could not find a free tracked-link code; is the code space exhausted?")


@transaction.atomic
def share_record_published_url(*, share: Share, url: str, now: datetime | None = None) -> Share:
    """Attach the URL of the post the employee published, checked for the share's network.

    One post belongs to one share at most (a constraint on the normalised post id);
    a post is "verifying" until the first metrics pull has checked its author and link,
    or "unverifiable" on networks we cannot check. Raises ValidationError with a message
    naming what is wrong and what the URL should look like; nothing saved changes then.
    """
    published = published_post_parse(network=share.network, url=url, mastodon_instance=share.user.mastodon_instance)
    if published.key == share.published_post_key:
        return share  # the same post again: keep its verification and schedule
    claimed = Share.objects.filter(network=share.network, published_post_key=published.key).exclude(pk=share.pk)
    other = claimed.select_related("post").first()
    if other is not None:
        raise _post_claimed(share=share, other=other)
    share.published_url = published.url
    share.published_post_id = published.post_id
    share.published_author = published.author
    share.published_post_key = published.key
    share.published_recorded_at = now or timezone.now()
    share.published_verified_at = None
    if share.network in VERIFIABLE_NETWORKS:
        share.published_verification, share.published_verification_detail = Verification.VERIFYING, ""
    else:
        share.published_verification = Verification.UNVERIFIABLE
        share.published_verification_detail = (
            f"{share.get_network_display()} shows who wrote a post only to a connected account."
        )
    share.full_clean(exclude=["user", "post", "code", "policy_version"], validate_constraints=False)
    fields = [
        "published_url",
        "published_post_id",
        "published_author",
        "published_post_key",
        "published_recorded_at",
        "published_verification",
        "published_verification_detail",
        "published_verified_at",
    ]
    try:
        with transaction.atomic():
            share.save(update_fields=fields)
    except IntegrityError:
        # Another share claimed the same post between our check and our write.
        other = Share.objects.select_related("post").filter(network=share.network, published_post_key=published.key)
        raise _post_claimed(share=share, other=other.exclude(pk=share.pk).first()) from None
    return share


def _post_claimed(*, share: Share, other: Share | None) -> ValidationError:
    if other is not None and other.user_id == share.user_id:
        return ValidationError(
            f"You already linked this post to your share of “{other.post.title}”; one post counts for one share. "
            "Paste the post you published for this share.",
            code="post_claimed",
        )
    return ValidationError(
        "That post is already linked to another share, so it cannot count here. "
        "Paste the address of the post you published yourself.",
        code="post_claimed",
    )


@transaction.atomic
def share_verification_record(
    *,
    share_id: int,
    post_key: str,
    state: str,
    detail: str = "",
    resolved_post_key: str = "",
    now: datetime | None = None,
) -> bool:
    """Record what checking the published post found; returns whether it was recorded.

    Only for the post that was checked (`post_key`): if the employee pasted another
    post meanwhile, that one is still "verifying" and this answer is about the old one.
    `resolved_post_key` is the post's lasting id learnt while checking (a Bluesky handle
    resolved to its DID): the share's key moves to it, and if another share already holds
    the post under that id, this one is "claimed".
    """
    if state not in Verification.values:
        raise ValueError(f"Not a verification state: {state!r}")
    if resolved_post_key and resolved_post_key != post_key:
        try:
            with transaction.atomic():
                moved = Share.objects.filter(pk=share_id, published_post_key=post_key).update(
                    published_post_key=resolved_post_key
                )
        except IntegrityError:
            state, detail = Verification.CLAIMED, "Another share already claims this post, under its other address."
        else:
            post_key = resolved_post_key if moved else post_key
    decided_at = None if state == Verification.VERIFYING else (now or timezone.now())
    updated = Share.objects.filter(pk=share_id, published_post_key=post_key).update(
        published_verification=state,
        published_verification_detail=detail[:300],
        published_verified_at=decided_at,
    )
    return bool(updated)


# --- Clicks ---------------------------------------------------------------------------------


def _click_kind(*, entry: dict, is_bot: bool, sharer_ids: list[int], visitor_hashes: tuple[str, str]) -> str:
    if is_bot:
        return Click.Kind.BOT
    if entry["u"] in sharer_ids or (entry["h"] and entry["h"] in visitor_hashes):
        return Click.Kind.SELF
    return Click.Kind.HUMAN


@transaction.atomic
def click_record(
    *,
    entry: dict,
    visitor_today: str,
    visitor_yesterday: str,
    address: str,
    is_bot: bool,
    sharer_ids: list[int],
    event_id: str,
    now: datetime,
) -> str:
    """Write one click straight to the database (no Redis, or Redis down) and count it; returns its kind.

    The share row is locked (as the drain locks it) so two clicks from the same visitor at
    once count once, and no more than SHARE_CLICKS_PER_ADDRESS count from one address today.
    """
    hashes = (visitor_today, visitor_yesterday)
    kind = _click_kind(entry=entry, is_bot=is_bot, sharer_ids=sharer_ids, visitor_hashes=hashes)
    if kind == Click.Kind.HUMAN:
        list(Share.objects.select_for_update().filter(pk=entry["s"]).values_list("pk"))
        if click_seen_recently(share_id=entry["s"], visitor_hashes=hashes, now=now):
            kind = Click.Kind.DUPLICATE
        elif address_human_clicks(share_id=entry["s"], address_hash=address) >= settings.SHARE_CLICKS_PER_ADDRESS:
            kind = Click.Kind.ADDRESS
    _, created = Click.objects.get_or_create(
        event_id=uuid.UUID(event_id),
        defaults={
            "share_id": entry["s"],
            "occurred_at": now,
            "visitor_hash": visitor_today,
            "address_hash": address,
            "kind": kind,
            "tallied": True,
        },
    )
    if created and kind == Click.Kind.HUMAN:
        Share.objects.filter(pk=entry["s"]).update(human_clicks=F("human_clicks") + 1)
    return kind


def clicks_drain(*, batch_size: int = 5000, max_batches: int = 40, min_idle_ms: int = 60_000) -> int:
    """Move captured clicks from the Redis stream into the database and add them to the totals.

    Safe to run twice or to be killed halfway: a click is inserted by its event id (a second
    insert is ignored), its share's total grows in the same transaction, and stream entries are
    acknowledged only after the database has them; entries a dead worker left unacknowledged
    are reclaimed after `min_idle_ms`. The database has the last word on what counts: a
    human click whose visitor already counted on that link (through the database while Redis
    was down, say) is written as a duplicate. Returns how many stream entries were processed.
    """
    conn = clickstream.client()
    processed = 0
    if conn is not None:
        try:
            for _ in range(max_batches):
                entries = clickstream.stream_read(conn, consumer="drain", count=batch_size, min_idle_ms=min_idle_ms)
                if not entries:
                    break
                _clicks_insert(entries)
                clickstream.stream_ack(conn, [entry_id for entry_id, _ in entries])
                processed += len(entries)
        except redis.RedisError:
            logger.warning("Redis is unreachable; captured clicks will be drained on a later run.")
    clicks_tally()
    return processed


@dataclass(slots=True)
class _NewClick:
    """A click read from the stream, not yet written (lighter than the thousands of model instances it replaces)."""

    event_id: uuid.UUID
    share_id: int
    visitor_hash: str
    address_hash: str
    kind: str
    occurred_at: datetime


@dataclass
class _Drained:
    click: _NewClick
    yesterday: str


def _stream_clicks(entries: list) -> list[_Drained]:
    drained: dict[uuid.UUID, _Drained] = {}
    for _entry_id, fields in entries:
        if not fields:  # an entry deleted while pending
            continue
        data = {key.decode(): value.decode() for key, value in fields.items()}
        click = _NewClick(
            event_id=uuid.UUID(data["e"]),
            share_id=int(data["s"]),
            visitor_hash=data["v"],
            address_hash=data.get("a", ""),
            kind=data["k"],
            occurred_at=datetime.fromtimestamp(float(data["t"]), tz=UTC),
        )
        drained.setdefault(click.event_id, _Drained(click, data.get("y", data["v"])))
    return sorted(drained.values(), key=lambda row: (row.click.occurred_at, str(row.click.event_id)))


@transaction.atomic
def _clicks_insert(entries: list) -> int:
    """Write one batch of stream entries and add its human clicks to the shares' totals; returns rows written.

    The rows are written already tallied and the totals grow in the same transaction, with one
    UPDATE for the whole batch: a click row is never rewritten to say it was counted.
    """
    rows = _stream_clicks(entries)
    # Locked in id order, the same order everywhere, so two drains never deadlock; the lock also
    # makes "has this visitor counted already" a question only one writer asks at a time.
    share_ids = list(
        Share.objects.select_for_update()
        .filter(pk__in={row.click.share_id for row in rows})
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # A share deleted since the click: its clicks go with it.
    locked = set(share_ids)
    rows = [row for row in rows if row.click.share_id in locked]
    known = set(
        Click.objects.filter(event_id__in=[row.click.event_id for row in rows]).values_list("event_id", flat=True)
    )
    rows = [row for row in rows if row.click.event_id not in known]
    if not rows:
        return 0
    _clicks_recheck([row for row in rows if row.click.kind == Click.Kind.HUMAN])
    _clicks_write([row.click for row in rows])
    return len(rows)


_CLICK_COLUMNS = ("event_id", "share_id", "occurred_at", "visitor_hash", "address_hash", "kind")
_CLICK_TYPES = ("uuid", "bigint", "timestamptz", "varchar", "varchar", "varchar")


def _clicks_write(clicks: list[_NewClick]) -> None:
    """Insert clicks, already tallied, and add the human ones that were really written to their shares.

    A conflict skips a row silently, so only rows the insert reports count. On PostgreSQL
    that is one statement (the insert returns what it wrote, the update adds it up); on
    SQLite an insert, a read back by event id and an update. The shares are locked already.
    """
    if connection.vendor == "postgresql":
        click_table, share_table = Click._meta.db_table, Share._meta.db_table
        arrays = ", ".join(f"%s::{kind}[]" for kind in _CLICK_TYPES)
        columns = ", ".join(_CLICK_COLUMNS)
        values = [[getattr(click, name) for click in clicks] for name in _CLICK_COLUMNS]
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH written AS (INSERT INTO {click_table} ({columns}, tallied) "  # nosec B608
                f"SELECT *, true FROM unnest({arrays}) ON CONFLICT DO NOTHING RETURNING share_id, kind), "
                "counted AS (SELECT share_id, count(*) AS n FROM written WHERE kind = %s GROUP BY share_id) "
                f"UPDATE {share_table} s SET human_clicks = s.human_clicks + counted.n FROM counted "
                "WHERE s.id = counted.share_id",
                [_array_literal(column) for column in values] + [Click.Kind.HUMAN],
            )
        return
    Click.objects.bulk_create(
        [Click(**{name: getattr(click, name) for name in _CLICK_COLUMNS}, tallied=True) for click in clicks],
        ignore_conflicts=True,
    )
    # (By event id alone: "and kind = human" tempts the planner into reading every human click.)
    written = Click.objects.filter(event_id__in=[click.event_id for click in clicks]).values_list("share_id", "kind")
    _totals_add(Counter(share_id for share_id, kind in written if kind == Click.Kind.HUMAN))


def _array_literal(values: list) -> str:
    """A PostgreSQL array literal sent as one text parameter (far quicker to parse than ARRAY[…] of thousands)."""
    text = (value.isoformat() if isinstance(value, datetime) else str(value) for value in values)
    return "{" + ",".join('"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"' for item in text) + "}"


def _totals_add(counted: Counter) -> None:
    """Add ``counted[share_id]`` human clicks to each share, in one statement."""
    if not counted:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Share._meta.db_table} s SET human_clicks = s.human_clicks + u.n "  # nosec B608
                "FROM unnest(%s::bigint[], %s::int[]) AS u(id, n) WHERE s.id = u.id",
                [_array_literal(list(counted)), _array_literal(list(counted.values()))],
            )
        return
    increment = Case(*(When(pk=share_id, then=Value(n)) for share_id, n in counted.items()), default=Value(0))
    Share.objects.filter(pk__in=list(counted)).update(human_clicks=F("human_clicks") + increment)


def _clicks_recheck(rows: list[_Drained]) -> None:
    """Downgrade human clicks the database already counted for that visitor, or that exceed the address's share."""
    if not rows:
        return
    visitors = {(row.click.share_id, h) for row in rows for h in (row.click.visitor_hash, row.yesterday)}
    addresses = {(row.click.share_id, row.click.address_hash) for row in rows if row.click.address_hash}
    seen: dict[tuple[int, str], datetime] = {}
    per_address: Counter = Counter()
    for share_id, visitor_hash, address, occurred_at in _human_clicks_of(visitors=visitors, addresses=addresses):
        if (share_id, visitor_hash) in visitors:
            seen[(share_id, visitor_hash)] = max(occurred_at, seen.get((share_id, visitor_hash), occurred_at))
        if (share_id, address) in addresses:
            per_address[(share_id, address)] += 1
    window = timedelta(seconds=clickstream.DEDUP_SECONDS)
    for row in rows:
        click = row.click
        earlier = [seen.get((click.share_id, h)) for h in (click.visitor_hash, row.yesterday)]
        if any(moment is not None and click.occurred_at - moment < window for moment in earlier):
            click.kind = Click.Kind.DUPLICATE
        elif (
            click.address_hash
            and per_address[(click.share_id, click.address_hash)] >= settings.SHARE_CLICKS_PER_ADDRESS
        ):
            click.kind = Click.Kind.ADDRESS
        else:
            seen[(click.share_id, click.visitor_hash)] = click.occurred_at
            per_address[(click.share_id, click.address_hash)] += 1


def _human_clicks_of(*, visitors: set[tuple[int, str]], addresses: set[tuple[int, str]]) -> list[tuple]:
    """(share, visitor hash, address hash, time) of the human clicks of these (share, visitor) or
    (share, address) pairs, each click once.

    On PostgreSQL the pairs are looked up one by one in the two partial indexes of human clicks
    (share, visitor) and (share, address), so the cost follows the batch, never the clicks the
    batch's shares already have; SQLite gets every human click of the shares with any of the
    hashes (a superset the caller narrows to its pairs).
    """
    if connection.vendor == "postgresql":
        table = Click._meta.db_table
        pairs = "unnest(%s::bigint[], %s::varchar[]) AS p(share_id, hash)"
        with connection.cursor() as cursor:
            cursor.execute(
                # With the id, so UNION drops a click both pair lists find, and only that.
                f"SELECT c.id, c.share_id, c.visitor_hash, c.address_hash, c.occurred_at FROM {table} c "  # nosec B608
                f"JOIN {pairs} ON c.share_id = p.share_id AND c.visitor_hash = p.hash WHERE c.kind = %s "
                f"UNION SELECT c.id, c.share_id, c.visitor_hash, c.address_hash, c.occurred_at FROM {table} c "
                f"JOIN {pairs} ON c.share_id = p.share_id AND c.address_hash = p.hash WHERE c.kind = %s",
                [
                    _array_literal([share for share, _ in visitors]),
                    _array_literal([h for _, h in visitors]),
                    Click.Kind.HUMAN,
                    _array_literal([share for share, _ in addresses]),
                    _array_literal([h for _, h in addresses]),
                    Click.Kind.HUMAN,
                ],
            )
            return [row[1:] for row in cursor.fetchall()]
    hashes = {h for _, h in visitors}
    return list(
        Click.objects.filter(kind=Click.Kind.HUMAN, share_id__in={share for share, _ in visitors | addresses})
        .filter(Q(visitor_hash__in=hashes) | Q(address_hash__in={h for _, h in addresses}))
        .order_by()
        .values_list("share_id", "visitor_hash", "address_hash", "occurred_at")
    )


def clicks_tally(*, batch_size: int = 5000) -> int:
    """Add clicks not yet tallied to their shares' totals, each exactly once; returns how many were tallied.

    The drain writes its clicks already tallied; this catches rows written untallied (by
    an older release, or an import), a claimed range of ids at a time, one UPDATE per batch.
    """
    tallied = 0
    while True:
        with transaction.atomic():
            rows = list(
                Click.objects.select_for_update(skip_locked=True)
                .filter(tallied=False)
                .order_by("pk")
                .values_list("pk", "share_id", "kind")[:batch_size]
            )
            if not rows:
                return tallied
            counted = Counter(share_id for _, share_id, kind in rows if kind == Click.Kind.HUMAN)
            # Locked in id order first, as the drain locks them: one UPDATE alone locks in any order.
            list(Share.objects.select_for_update().filter(pk__in=list(counted)).order_by("pk").values_list("pk"))
            _totals_add(counted)
            Click.objects.filter(pk__in=[pk for pk, _, _ in rows]).update(tallied=True)
            tallied += len(rows)


@transaction.atomic
def clicks_purge(*, now: datetime | None = None) -> int:
    """Delete raw clicks older than CLICK_RETENTION_DAYS; totals on the shares stay. Returns rows deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.CLICK_RETENTION_DAYS)
    # Untallied rows are kept until the tally has counted them.
    deleted, _ = Click.objects.filter(occurred_at__lt=cutoff, tallied=True).delete()
    return deleted
