"""Demo shares and about 60 days of clicks.

Shares go through share_create (so guideline checks and policy versions apply);
clicks have a realistic shape: most arrive in the first days after a share, in
waking hours, fewer at weekends. Among them are link-preview bots, repeat clicks
within 24 hours and the sharer's own clicks, stored but (correctly) not counted.
"""

import math
import random
import uuid
from datetime import timedelta

from django.db.models import Q

from advocacy.networks import Network
from advocacy.people.selectors import active_employees
from content_library.models import Post
from content_library.selectors import post_caption_for, post_live_q
from guidelines.services import caption_check

from .models import Click, Share
from .services import AcknowledgementRequired, ShareRefused, share_create

DAYS = 60
NETWORK_WEIGHTS = [
    (Network.LINKEDIN, 45),
    (Network.X, 15),
    (Network.FACEBOOK, 10),
    (Network.MASTODON, 8),
    (Network.BLUESKY, 12),
    (Network.THREADS, 8),
    (Network.EMAIL, 10),
]
# Relative clicks by hour of day (local time): quiet at night, peaks mid-morning and after lunch.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 7, 10, 12, 11, 10, 9, 11, 12, 10, 9, 8, 7, 6, 5, 4, 3, 2]


def _fitting_caption(*, post, network) -> str | None:
    """The suggested caption, plus whatever hashtags and disclosure the rules ask for; None if it cannot fit."""
    caption = post_caption_for(post=post, network=network)
    check = caption_check(post=post, network=network, caption=caption)
    if check.ok:
        return caption
    missing = [tag for tag in check.required_hashtags if tag.lower() not in caption.lower()]
    if check.disclosure and check.disclosure.lower() not in caption.lower():
        missing.append(check.disclosure)
    if post.caption_editable and missing:
        caption = f"{caption.rstrip()} {' '.join(missing)}".strip()
        if caption_check(post=post, network=network, caption=caption).ok:
            return caption
    return None


def _visitor(rng) -> str:
    return f"{rng.getrandbits(128):032x}"


def demo_clicks_for(share: Share, *, rng, now) -> list[Click]:
    """Clicks from the share until now: a decaying daily curve with hourly and weekday shape."""
    clicks: list[Click] = []
    popularity = rng.lognormvariate(1.2, 0.9)  # a few shares do far better than most
    start = share.last_shared_at

    def add(at, visitor, kind):
        clicks.append(
            Click(
                event_id=uuid.UUID(int=rng.getrandbits(128)),
                share=share,
                occurred_at=at,
                visitor_hash=visitor,
                kind=kind,
                tallied=True,
            )
        )

    # Link previews fetch the link within a minute of posting.
    for _ in range(rng.randint(1, 3)):
        add(start + timedelta(seconds=rng.randint(2, 90)), _visitor(rng), Click.Kind.BOT)
    # The sharer checks their own link.
    if rng.random() < 0.4:
        add(start + timedelta(minutes=rng.randint(1, 30)), share.sharer_visitor_hash or _visitor(rng), Click.Kind.SELF)
    days = max(0, (now - start).days)
    for day in range(days + 1):
        expected = popularity * 6 * math.exp(-day / 2.5)
        day_start = start + timedelta(days=day)
        if day_start.weekday() >= 5:
            expected *= 0.5
        count = int(expected) + (1 if rng.random() < expected % 1 else 0)
        for _ in range(count):
            hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
            at = day_start.replace(hour=hour, minute=rng.randint(0, 59), second=rng.randint(0, 59))
            if at > now or at < start:
                continue
            visitor = _visitor(rng)
            add(at, visitor, Click.Kind.HUMAN)
            if rng.random() < 0.12:  # came back the same day: a repeat, not counted
                add(at + timedelta(minutes=rng.randint(3, 300)), visitor, Click.Kind.DUPLICATE)
            if rng.random() < 0.05:  # crawlers keep re-fetching popular links
                add(at + timedelta(minutes=rng.randint(1, 600)), _visitor(rng), Click.Kind.BOT)
    return [click for click in clicks if click.occurred_at <= now]


def seed(*, rng, now, log) -> None:
    employees = list(active_employees().distinct().order_by("username"))
    if not employees:
        log("sharing: no employees; run the people seeder first")
        return
    window_start = now - timedelta(days=DAYS)
    posts = list(
        # Library posts only: employees' own challenge posts (seeded later) are shared by their authors.
        Post.objects.filter(kind=Post.Kind.LIBRARY)
        .filter(post_live_q(now=now) | Q(status=Post.Status.APPROVED, expires_at__gt=window_start))
        .filter(publish_at__isnull=False, publish_at__lt=now)
        .select_related("campaign")
        .prefetch_related("captions")
        .order_by("publish_at", "id")
    )
    if not posts:
        log("sharing: no approved posts; run the content library seeder first")
        return
    networks, weights = zip(*NETWORK_WEIGHTS)
    shares_created, clicks = 0, []
    # One fixed generator per person, so a second run makes the same choices for everyone
    # and, skipping people who already have shares, creates nothing.
    already = set(Share.objects.values_list("user_id", flat=True).distinct())
    for user in employees:
        rng = random.Random(f"sharing-demo:{user.username}")
        if user.pk in already or (user.username != "employee" and rng.random() > 0.7):
            continue
        wanted = 6 if user.username == "employee" else rng.randint(1, 5)
        for post in rng.sample(posts, min(wanted, len(posts))):
            network = rng.choices(networks, weights=weights)[0]
            if network == Network.MASTODON and not user.mastodon_instance:
                network = Network.LINKEDIN
            earliest = max(post.publish_at, window_start)
            latest = min(post.expires_at or now, now) - timedelta(hours=1)
            if latest <= earliest or Share.objects.filter(user=user, post=post, network=network).exists():
                continue
            shared_at = earliest + (latest - earliest) * rng.random() ** 2
            caption = _fitting_caption(post=post, network=network)
            if caption is None:
                continue
            try:
                share, created = share_create(
                    user=user,
                    post=post,
                    network=network,
                    caption=caption,
                    visitor_hash=_visitor(rng)[:32],
                    now=shared_at,
                )
            except (AcknowledgementRequired, ShareRefused):
                continue
            if not created:
                continue
            Share.objects.filter(pk=share.pk).update(created_at=shared_at)
            share.created_at = shared_at
            new_clicks = demo_clicks_for(share, rng=rng, now=now)
            human = sum(1 for click in new_clicks if click.kind == Click.Kind.HUMAN)
            Share.objects.filter(pk=share.pk).update(human_clicks=human)
            clicks.extend(new_clicks)
            shares_created += 1
    Click.objects.bulk_create(clicks, batch_size=1000)
    counted = sum(1 for click in clicks if click.kind == Click.Kind.HUMAN)
    log(
        f"sharing: {shares_created} shares, {len(clicks)} clicks ({counted} counted; bots, repeats and "
        f"self-clicks kept but not counted); {Share.objects.count()} shares in total"
    )
