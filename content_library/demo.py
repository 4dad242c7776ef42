"""Demo library: about 40 posts across the content types, 3 campaigns, topics, drawn images, suggestions."""

import io
import re
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from advocacy.people.models import Team, User

from .models import Campaign, Post, Suggestion
from .services import (
    campaign_create,
    post_create,
    post_image_add,
    post_transition,
    suggestion_approve,
    suggestion_create,
    topic_get_or_create,
)

TOPICS = ["Product", "Engineering", "Hiring", "Sustainability", "Customers", "Events", "Culture"]
CAMPAIGNS = [
    ("Spring launch", "#LaunchWeek", "Everything about the new release.", -10, 20),
    ("We're hiring", "#JoinUs", "Help us find great colleagues.", -30, 60),
    ("Green office", "#GreenerTogether", "Our sustainability commitments.", 5, 45),
]
CONTENT_TYPES = [choice for choice, _ in Post.ContentType.choices]
# A headline's words say its type; the rest take turns as company news and culture.
TYPE_WORDS = [
    (Post.ContentType.JOB, ("job", "wanted", "role", "opening")),
    (Post.ContentType.PRODUCT, ("product", "release", "app", "integration", "security", "roadmap", "webinar")),
    (Post.ContentType.INDUSTRY, ("industry", "analyst", "third-party", "press", "conference")),
]
OTHER_TYPES = [Post.ContentType.COMPANY_NEWS, Post.ContentType.CULTURE]


def demo_content_type(index: int, title: str) -> str:
    words = set(re.findall(r"[a-z-]+", title.lower()))
    for content_type, keys in TYPE_WORDS:
        if words.intersection(keys):
            return content_type
    return OTHER_TYPES[index % len(OTHER_TYPES)]


PALETTE = [(31, 95, 191), (30, 122, 69), (138, 90, 0), (179, 38, 30), (74, 58, 160), (0, 112, 128)]
HEADLINES = [
    "Our new release is out",
    "What we learned scaling search",
    "Meet the support team",
    "Senior backend engineer wanted",
    "Customer story: a faster checkout",
    "Industry report: remote work in 2026",
    "Behind the scenes at the Lyon office",
    "How we cut our cloud emissions",
    "Product tip: keyboard shortcuts",
    "Join us at the open-source summit",
    "Five years of shipping every week",
    "Designer job opening",
    "Volunteering day recap",
    "The analyst view on our market",
    "A new integration for your CRM",
    "Our engineering blog turns two",
    "Summer interns, welcome!",
    "Accessibility improvements in the app",
    "Security update: passkeys everywhere",
    "Webinar: getting started in ten minutes",
    "Team offsite photos",
    "Third-party review: best tool of the year",
    "Customer success manager job",
    "Why we chose PostgreSQL",
    "Bike to work week",
    "New office plants, and why",
    "The roadmap for next quarter",
    "Interview with our founders",
    "Support in four new languages",
    "Conference talk: boring technology",
    "Mentoring programme opens",
    "Recycling numbers for the year",
    "Partner announcement",
    "Data engineer role in Lyon",
    "What our customers asked for most",
    "Hackathon winners",
    "A faster mobile app",
    "Press coverage round-up",
    "Quarterly all-hands highlights",
    "Open house in the new office",
]


def _draw_image(rng, title: str, index: int) -> bytes:
    width, height = 1200, 675
    background = PALETTE[index % len(PALETTE)]
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y, r = rng.randrange(width), rng.randrange(height), rng.randrange(40, 220)
        shade = tuple(min(255, c + rng.randrange(30, 110)) for c in background)
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x - r, y - r, x + r, y + r), fill=shade)
    draw.rectangle((0, height - 190, width, height), fill=(255, 255, 255))
    font = ImageFont.load_default(size=54)
    small = ImageFont.load_default(size=28)
    draw.text((48, height - 160), title[:38], fill=(29, 36, 51), font=font)
    draw.text((48, height - 80), "Advocacy demo", fill=(90, 100, 120), font=small)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


@transaction.atomic
def seed(*, rng, now, log) -> None:
    comms = User.objects.filter(username="comms").first()
    if comms is None:
        log("content library: no comms demo user; run the people seeder first")
        return
    topics = [topic_get_or_create(name=name) for name in TOPICS]
    campaigns = []
    for name, hashtag, description, start, length in CAMPAIGNS:
        campaign = Campaign.objects.filter(name=name).first() or campaign_create(
            actor=comms,
            name=name,
            hashtag=hashtag,
            description=description,
            starts_on=(now + timedelta(days=start)).date(),
            ends_on=(now + timedelta(days=start + length)).date(),
        )
        campaigns.append(campaign)
    teams = {team.name: team for team in Team.objects.all()}
    created = 0
    for index, title in enumerate(HEADLINES):
        if Post.objects.filter(title=title).exists():
            continue
        _seed_post(rng, now, comms, index, title, topics, campaigns, teams)
        created += 1
    suggestions, approved = _seed_suggestions(now, comms)
    from_suggestions = f" and {approved} from an approved suggestion" if approved else ""
    log(
        f"content library: {created} posts{from_suggestions}, {suggestions} suggestions created;"
        f" {Post.objects.count()} posts in the library"
    )


def _seed_post(rng, now, comms, index, title, topics, campaigns, teams) -> None:
    content_type = demo_content_type(index, title)
    # Mostly live posts; then some scheduled, expired, waiting for review, drafts, one rejected, one archived.
    kind = "live"
    if index % 10 == 3:
        kind = "scheduled"
    elif index % 10 == 6:
        kind = "expired"
    elif index in (7, 27):
        kind = "submitted"
    elif index in (17, 37):
        kind = "draft"
    elif index == 19:
        kind = "rejected"
    elif index == 29:
        kind = "archived"
    publish_at = now - timedelta(days=rng.randrange(1, 20), hours=rng.randrange(24))
    expires_at = now + timedelta(days=rng.randrange(10, 60)) if index % 3 == 0 else None
    if kind == "scheduled":
        publish_at, expires_at = now + timedelta(days=rng.randrange(1, 14), hours=9), None
    elif kind == "expired":
        publish_at, expires_at = now - timedelta(days=40), now - timedelta(days=rng.randrange(1, 10))
    elif kind in ("draft", "submitted"):
        publish_at = now + timedelta(days=rng.randrange(3, 20)) if kind == "submitted" else None
        expires_at = None
    target_teams = []
    if index % 7 == 2:
        target_teams = [teams[name] for name in ("Engineering", "Lyon Office") if name in teams]
    elif index % 7 == 5:
        target_teams = [teams[name] for name in ("Sales", "Customer Success") if name in teams]
    campaign = campaigns[index % 3] if index % 4 != 1 else None
    if content_type == Post.ContentType.JOB:
        campaign = campaigns[1]
    captions = {}
    if index % 5 == 0:
        captions = {
            "x": f"{title} — have a look:",
            "linkedin": f"{title}. I'm proud of what we built; read more below.",
        }
    post = post_create(
        actor=comms,
        title=title,
        body=f"{title}. A short summary employees can read in seconds before sharing it in their own words.",
        destination_url=f"https://example.com/news/{index + 1}",
        content_type=content_type,
        campaign=campaign,
        is_featured=index in (0, 10),
        suggested_caption=f"{title} — worth a read.",
        caption_editable=index % 8 != 4,
        hashtags="#Advocacy" if index % 2 == 0 else "",
        target_everyone=not target_teams,
        target_teams=target_teams,
        publish_at=publish_at,
        expires_at=expires_at,
        topics=[topics[index % len(topics)], topics[(index * 3 + 1) % len(topics)]],
        captions=captions,
    )
    if index % 5 != 4:
        upload = ContentFile(_draw_image(rng, title, index), name="demo.jpg")
        post_image_add(post=post, upload=upload, alt_text=f"Illustration: {title}", actor=comms)
    if kind == "draft":
        return
    post_transition(post=post, to_status=Post.Status.SUBMITTED, actor=comms)
    if kind == "submitted":
        return
    if kind == "rejected":
        post_transition(post=post, to_status=Post.Status.REJECTED, actor=comms, note="Needs a customer quote first.")
        return
    post_transition(post=post, to_status=Post.Status.APPROVED, actor=comms, note="Looks good.")
    if kind == "archived":
        post_transition(post=post, to_status=Post.Status.ARCHIVED, actor=comms, note="Superseded.")


SUGGESTIONS = [
    ("amara.okafor", "https://example.org/industry/report", "A good industry report mentioning us", "Nice mention!"),
    ("ben.sato", "", "We should share the photos from the charity run", ""),
    ("chloe.farouk", "https://example.org/blog/open-source", "Our open-source library got 1k stars", "1,000 stars!"),
    ("dev.lindqvist", "https://example.org/podcast", "Podcast episode with our CTO", "Listen to this"),
]


def _seed_suggestions(now, comms) -> tuple[int, int]:
    """(suggestions created, posts they became by being approved)."""
    created = approved = 0
    for index, (username, url, text, caption) in enumerate(SUGGESTIONS):
        author = User.objects.filter(username=username).first() or User.objects.filter(username="employee").first()
        if author is None or Suggestion.objects.filter(author=author, text=text).exists():
            continue
        suggestion = suggestion_create(author=author, url=url, text=text, draft_caption=caption)
        if index == 3:
            suggestion_approve(suggestion=suggestion, reviewer=comms, note="Thanks!", publish_at=now)
            approved += 1
        created += 1
    return created, approved
