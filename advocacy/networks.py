"""The social networks the platform shares to; one list used by every app.

Also what every app must agree on about each network, kept here on the ground floor so
the lower apps can read it: which engagement figures it reports, how long a caption
may be, and the text its composer receives once the tracked link is added.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse


class Network(models.TextChoices):
    LINKEDIN = "linkedin", "LinkedIn"
    X = "x", "X"
    FACEBOOK = "facebook", "Facebook"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    THREADS = "threads", "Threads"
    EMAIL = "email", "Email"


# --- Engagement figures ---------------------------------------------------------------

ENGAGEMENT_METRICS = ("likes", "reposts", "replies", "quotes", "impressions")

# What each network's API tells us (metrics/providers/ read their `reports` from here). A
# figure missing here is not reported: shown as NOT_REPORTED on pages, an empty CSV cell and
# null in the API, never 0. LinkedIn's impressions and reshares need analytics permissions
# ordinary apps lack: only with LINKEDIN_MEMBER_ANALYTICS (the app has r_member_postAnalytics)
# are they read, with each member's connected account, and a post read without one leaves them
# unknown. Threads' insights (views as impressions) are read only with the employee's connected
# account; Facebook and email give us nothing.
REPORTED_METRICS: dict[str, tuple[str, ...]] = {
    Network.LINKEDIN: (
        ("likes", "reposts", "replies", "impressions") if settings.LINKEDIN_MEMBER_ANALYTICS else ("likes", "replies")
    ),
    Network.X: ("likes", "reposts", "replies", "quotes", "impressions"),
    Network.FACEBOOK: (),
    Network.MASTODON: ("likes", "reposts", "replies", "quotes"),
    Network.BLUESKY: ("likes", "reposts", "replies", "quotes"),
    Network.THREADS: ("likes", "reposts", "replies", "quotes", "impressions"),
    Network.EMAIL: (),
}
NOT_REPORTED = "–"


def reported_figures(*, network: str, totals) -> dict[str, int | None]:
    """A share's latest figures as the network reports them: None where it reports no such figure
    (or nothing is known yet), whatever a row holds. ``totals`` is any object with the metric
    attributes (a ShareMetrics row), or None."""
    reported = REPORTED_METRICS.get(network, ())
    return {
        name: getattr(totals, name) if totals is not None and name in reported else None for name in ENGAGEMENT_METRICS
    }


def networks_reporting(metric: str) -> list[str]:
    """The networks whose API reports ``metric``."""
    if metric not in ENGAGEMENT_METRICS:
        raise ValueError(f"Unknown metric {metric!r}")
    return [str(network) for network, metrics in REPORTED_METRICS.items() if metric in metrics]


# --- Captions -----------------------------------------------------------------------------

# The longest caption each network takes, counted its own way (advocacy/counting.py).
CAPTION_LIMITS: dict[str, int] = {
    Network.LINKEDIN: 3000,
    Network.X: 280,
    Network.FACEBOOK: 63206,
    Network.MASTODON: 500,
    Network.BLUESKY: 300,
    Network.THREADS: 500,
    # Generous, so a caption still fits a mailto: link (mail clients balk at very long ones).
    Network.EMAIL: 10000,
}
# The longest caption any network takes: the bound of every caption field (form, API, textarea).
CAPTION_MAX_LENGTH = max(CAPTION_LIMITS.values())

# A tracked link is SITE_URL + /s/ + this many letters and digits (sharing.links.code_generate).
TRACKED_CODE_LENGTH = 9


def tracked_link_placeholder() -> str:
    """A link exactly as long as the tracked link a share will get, for counting before it exists."""
    return settings.SITE_URL + reverse("sharing:redirect", kwargs={"code": "0" * TRACKED_CODE_LENGTH})


def text_sent(*, network: str, caption: str, link: str) -> str:
    """The text a network's composer is prefilled with: the caption plus the tracked link.

    This is what the length limit applies to, so the caption check counts it and the share
    intents (sharing.links.intent_url) build from it:
    - LinkedIn, Mastodon, Bluesky and email: the caption, a blank line, the link.
    - X: the intent's ``text`` and ``url``, which X joins with a space.
    - Threads: the intent's ``text`` and ``url`` too; counted as caption, a space and the link,
      which is what a post through the API (link in the text, first URL previewed) will hold.
    - Facebook: the caption alone; sharer.php takes only the link, shown as a card.
    Newlines are plain "\\n" here; mailto: bodies turn them into CRLF (RFC 6068).
    """
    caption = caption.replace("\r\n", "\n").replace("\r", "\n").strip()
    if network == Network.FACEBOOK or not link:
        return caption
    separator = " " if network in (Network.X, Network.THREADS) else "\n\n"
    return f"{caption}{separator}{link}" if caption else link
