"""Demo metrics: realistic engagement histories, written directly and marked as demo data.

The demo organisation has no internet, and no fake provider pretends to be a
network: about two thirds of the demo shares get a published-post link (through
sharing's own service), and each of those gets a history that follows the real
pull schedule, with totals that grow quickly and then level off. Every row is
``is_demo=True``; the scheduler never pulls demo rows, and the history page says
"Demo data". The changes feed the demo points ledger like real ones would.
"""

from __future__ import annotations

import hashlib
import math
import random
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from advocacy.networks import Network

from .models import ShareMetrics
from .providers import InvalidPostUrl, Metrics, provider_for
from .schedule import next_slot
from .services import snapshot_record

# Typical final totals (median likes, reposts per like, replies per like, quotes per like, impressions per like).
PROFILES = {
    Network.LINKEDIN: (28, 0.0, 0.18, 0.0, 0),
    Network.X: (14, 0.22, 0.12, 0.05, 55),
    Network.MASTODON: (9, 0.45, 0.15, 0.02, 0),
    Network.BLUESKY: (17, 0.3, 0.14, 0.06, 0),
    # Threads reports views (as impressions) to the author's connected account.
    Network.THREADS: (21, 0.12, 0.2, 0.04, 60),
}
PUBLISHED_SHARE = 0.65
_BASE32_SORTABLE = "234567abcdefghijklmnopqrstuvwxyz"
_SHORTCODE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def seed(*, rng, now, log) -> None:
    from sharing.models import Share

    shares = (
        # Library shares: employees' own challenge posts are seeded after this and keep no history.
        Share.objects.filter(network__in=list(PROFILES), metrics__isnull=True, post__kind="library")
        .select_related("user")
        .order_by("pk")
    )
    seeded = snapshots = 0
    for share in shares:
        # Each share's dice come from its own code, so a second run decides exactly as the first did.
        share_rng = random.Random(hashlib.sha256(f"metrics-demo:{share.code}".encode()).hexdigest())
        unpublished = not share.published_url
        if unpublished and (share_rng.random() >= PUBLISHED_SHARE or not _publish(share=share, rng=share_rng, now=now)):
            continue
        with transaction.atomic():
            snapshots += _history(share=share, rng=share_rng, now=now)
        seeded += 1
    log(f"metrics: {seeded} demo metric histories ({snapshots} snapshots), marked as demo data")


def _publish(*, share, rng, now) -> bool:
    from sharing.models import Verification
    from sharing.services import share_record_published_url, share_verification_record

    url = _demo_url(share=share, rng=rng)
    if url is None:
        return False
    published_at = min(share.last_shared_at + timedelta(minutes=rng.randint(2, 90)), now)
    try:
        share_record_published_url(share=share, url=url, now=published_at)
    except ValidationError:
        return False
    if share.published_verification == Verification.VERIFYING:
        # No network is asked for demo posts, so nothing could verify them: they are the seed's own.
        share_verification_record(
            share_id=share.pk,
            post_key=share.published_post_key,
            state=Verification.VERIFIED,
            detail="Demo post written by seed_demo; not checked with a network.",
            now=published_at,
        )
    return True


def _demo_url(*, share, rng) -> str | None:
    user, network = share.user, share.network
    if network == Network.LINKEDIN:
        activity = rng.randrange(7_200_000_000_000_000_000, 7_300_000_000_000_000_000)
        return f"https://www.linkedin.com/feed/update/urn:li:activity:{activity}/"
    if network == Network.X:
        handle = (user.x_handle or user.username).lstrip("@")
        handle = "".join(c for c in handle if c.isalnum() or c == "_")[:15] or "advocate"
        return f"https://x.com/{handle}/status/{rng.randrange(1_850_000_000_000_000_000, 1_870_000_000_000_000_000)}"
    if network == Network.MASTODON:
        if not user.mastodon_instance:
            return None
        local = user.mastodon_handle.lstrip("@").split("@", 1)[0]
        status = rng.randrange(113_000_000_000_000_000, 114_000_000_000_000_000)
        return f"https://{user.mastodon_instance}/@{local}/{status}"
    if network == Network.BLUESKY:
        handle = user.bluesky_handle or f"{user.username.lower()}.bsky.social"
        rkey = "3l" + "".join(rng.choice(_BASE32_SORTABLE) for _ in range(11))
        return f"https://bsky.app/profile/{handle}/post/{rkey}"
    if network == Network.THREADS:
        handle = "".join(c for c in user.username.lower() if c.isalnum() or c in "._")[:30] or "advocate"
        shortcode = "D" + "".join(rng.choice(_SHORTCODE) for _ in range(10))
        return f"https://www.threads.com/@{handle}/post/{shortcode}"
    return None


def _history(*, share, rng, now) -> int:
    likes_median, reposts_ratio, replies_ratio, quotes_ratio, impressions_ratio = PROFILES[share.network]
    final_likes = max(0, round(likes_median * math.exp(rng.gauss(0, 0.8))))
    finals = {
        "likes": final_likes,
        "reposts": round(final_likes * reposts_ratio * rng.uniform(0.5, 1.5)),
        "replies": round(final_likes * replies_ratio * rng.uniform(0.5, 1.5)),
        "quotes": round(final_likes * quotes_ratio * rng.uniform(0.3, 1.7)),
        "impressions": round(final_likes * impressions_ratio * rng.uniform(0.7, 1.6)),
    }
    # Engagement arrives mostly in the first hours: total(t) = final × (1 − e^(−t/τ)).
    tau_hours = rng.uniform(3, 14)
    published_at = share.published_recorded_at or share.last_shared_at
    try:
        ref = provider_for(share.network).parse_url(share.published_url)
        post_id, instance = ref.post_id, ref.instance
    except (InvalidPostUrl, LookupError):
        # A link sharing accepted but our parser does not still gets a history, keyed by sharing's id.
        post_id, instance = share.published_post_id, ""
    tracked, _ = ShareMetrics.objects.get_or_create(
        share=share,
        defaults={
            "network": share.network,
            "post_id": post_id[:300],
            "instance": instance,
            "published_at": published_at,
            "is_demo": True,
        },
    )
    reported = provider_for(share.network).reports
    count, slot = 0, published_at
    while slot is not None and slot <= now:
        hours = (slot - published_at).total_seconds() / 3600
        progress = 1 - math.exp(-hours / tau_hours)
        values = {name: (round(total * progress) if name in reported else None) for name, total in finals.items()}
        snapshot_record(tracked=tracked, slot=slot, metrics=Metrics(**values), taken_at=slot, is_demo=True)
        count += 1
        slot = next_slot(published_at=published_at, after=slot, now=slot)
    tracked.refresh_from_db()
    tracked.next_pull_at = None
    tracked.status = ShareMetrics.Status.FINISHED if slot is None else ShareMetrics.Status.TRACKING
    tracked.save(update_fields=["next_pull_at", "status"])
    return count
