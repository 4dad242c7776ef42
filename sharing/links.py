"""Tracked-link codes, destinations, network share intents and published-post URLs.

Pure functions: no database, no request. The redirect and the share service both
build on them so the rules (only http/https, UTM parameters, intent formats) live once.
"""

import functools
import re
import secrets
import string
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from advocacy.networks import TRACKED_CODE_LENGTH, Network, text_sent

CODE_ALPHABET = string.ascii_letters + string.digits
# 62**9 ≈ 1.4e16 codes: unguessable at any rate the redirect's rate limit allows, and short.
CODE_LENGTH = TRACKED_CODE_LENGTH
CODE_RE = re.compile(rf"[A-Za-z0-9]{{{CODE_LENGTH}}}")
UTM_MEDIUM = "employee_advocacy"
_UTM_KEYS = {"utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "utm_id"}
# Whitespace, control characters and backslashes have no business in a destination and
# are how header injection and scheme-relative tricks start.
_UNSAFE_URL_CHARS = re.compile(r"[\x00-\x20\x7f\\]")

# Networks whose intent takes no prefilled text: the panel offers "copy caption" first.
NETWORKS_WITHOUT_TEXT = {Network.FACEBOOK}


def code_generate() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def is_valid_code(code: str) -> bool:
    return bool(CODE_RE.fullmatch(code))


@functools.lru_cache(maxsize=4096)
def is_http_url(url: str) -> bool:
    """An absolute http(s) URL with a host, no credentials, and nothing that could split a header."""
    if not url or len(url) > 2000 or _UNSAFE_URL_CHARS.search(url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(host) and "@" not in parts.netloc


def destination_with_utm(*, url: str, network: str, campaign: str) -> str:
    """The destination with our UTM parameters, replacing any it already had."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key not in _UTM_KEYS]
    query += [("utm_source", network), ("utm_medium", UTM_MEDIUM), ("utm_campaign", campaign)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), parts.fragment))


def tracked_link(code: str) -> str:
    return settings.SITE_URL + reverse("sharing:redirect", kwargs={"code": code})


def landing_link(code: str) -> str:
    return settings.SITE_URL + reverse("sharing:landing", kwargs={"code": code})


def _text_with_link(network: str, caption: str, link: str) -> str:
    """The caption plus the link, as the network receives it (and as the caption check counts it)."""
    text = text_sent(network=network, caption=caption, link=link)
    # RFC 6068: line breaks in a mailto: body are CRLF (%0D%0A).
    return text.replace("\n", "\r\n") if network == Network.EMAIL else text


def intent_url(*, network: str, link: str, caption: str, title: str, mastodon_instance: str = "") -> str:
    """Where the browser goes to post: each network's own share intent, prefilled.

    - LinkedIn: the feed composer (`shareActive`, `text`); share-offsite would take only a URL.
    - X: `intent/tweet` with `text` and `url` (X shortens the URL itself and joins them with a space).
    - Facebook: `sharer.php?u=`; Facebook takes no prefilled text.
    - Mastodon: the employee's own instance's `/share?text=`.
    - Bluesky: `intent/compose?text=` (300 characters).
    - Email: a mailto: link with subject and body (CRLF line breaks, RFC 6068).
    The text is advocacy.networks.text_sent's, the one the caption check measures.
    """
    if network == Network.LINKEDIN:
        return "https://www.linkedin.com/feed/?" + urlencode(
            {"shareActive": "true", "text": _text_with_link(network, caption, link)}, quote_via=quote
        )
    if network == Network.X:
        return "https://x.com/intent/tweet?" + urlencode(
            {"text": text_sent(network=network, caption=caption, link=""), "url": link}, quote_via=quote
        )
    if network == Network.FACEBOOK:
        return "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": link}, quote_via=quote)
    if network == Network.MASTODON:
        if not mastodon_instance:
            raise ValueError("A Mastodon share needs the employee's instance.")
        return f"https://{mastodon_instance}/share?" + urlencode(
            {"text": _text_with_link(network, caption, link)}, quote_via=quote
        )
    if network == Network.BLUESKY:
        return "https://bsky.app/intent/compose?" + urlencode(
            {"text": _text_with_link(network, caption, link)}, quote_via=quote
        )
    if network == Network.EMAIL:
        return "mailto:?" + urlencode(
            {"subject": title.replace("\r", " ").replace("\n", " "), "body": _text_with_link(network, caption, link)},
            quote_via=quote,
        )
    raise ValueError(f"Unknown network {network!r}")


@dataclass(frozen=True)
class PublishedPost:
    """What the metrics workers need to find a published post again."""

    url: str
    post_id: str
    author: str


_LINKEDIN_HOST = re.compile(r"(?:www\.|[a-z]{2}\.)?linkedin\.com")
_LINKEDIN_FEED = re.compile(r"/feed/update/(urn:li:(?:activity|share|ugcPost):\d{6,25})/?")
_LINKEDIN_POSTS = re.compile(r"/posts/([^/]+)-(activity|share|ugcPost)-(\d{6,25})-[^/]+/?")
_X_HOSTS = {"x.com", "www.x.com", "mobile.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com"}
_X_STATUS = re.compile(r"/([A-Za-z0-9_]{1,15})/status/(\d{1,25})/?")
_MASTODON_STATUS = re.compile(r"/@([A-Za-z0-9_]{1,30})/(\d{1,25})/?|/users/([A-Za-z0-9_]{1,30})/statuses/(\d{1,25})/?")
_BLUESKY_POST = re.compile(
    r"/profile/((?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,}|did:(?:plc|web):[A-Za-z0-9.:%-]{1,200})/post/([a-z2-7]{13})/?"
)

EXAMPLES = {
    Network.LINKEDIN: "https://www.linkedin.com/feed/update/urn:li:activity:7123456789012345678/",
    Network.X: "https://x.com/yourname/status/1790000000000000000",
    Network.MASTODON: "https://your.instance/@you/112233445566778899",
    Network.BLUESKY: "https://bsky.app/profile/you.bsky.social/post/3kabcdefghij2",
}


def published_post_parse(*, network: str, url: str, mastodon_instance: str = "") -> PublishedPost:
    """Check that `url` is a post on `network` (on the employee's own instance for Mastodon) and pull out its ids."""
    url = (url or "").strip()
    if network not in EXAMPLES:
        raise ValidationError(f"Posts on {Network(network).label} cannot be linked back; nothing to add here.")
    wrong = ValidationError(f"That is not a {Network(network).label} post URL; it looks like {EXAMPLES[network]}")
    if not is_http_url(url):
        raise wrong
    parts = urlsplit(url)
    host, path = (parts.hostname or "").lower(), parts.path
    if parts.scheme != "https":
        raise wrong
    if network == Network.LINKEDIN and _LINKEDIN_HOST.fullmatch(host):
        if match := _LINKEDIN_FEED.fullmatch(path):
            return PublishedPost(url=url, post_id=match.group(1), author="")
        if match := _LINKEDIN_POSTS.fullmatch(path):
            kind = match.group(2)
            return PublishedPost(url=url, post_id=f"urn:li:{kind}:{match.group(3)}", author=match.group(1))
    if network == Network.X and host in _X_HOSTS and (match := _X_STATUS.fullmatch(path)):
        return PublishedPost(url=url, post_id=match.group(2), author=match.group(1))
    if network == Network.MASTODON:
        if not mastodon_instance:
            raise ValidationError("Add your Mastodon handle to your profile first, so we know your instance.")
        if host != mastodon_instance:
            raise ValidationError(f"That status is not on your instance ({mastodon_instance}).")
        if match := _MASTODON_STATUS.fullmatch(path):
            author, status_id = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
            return PublishedPost(url=url, post_id=status_id, author=author)
    if network == Network.BLUESKY and host == "bsky.app" and (match := _BLUESKY_POST.fullmatch(path)):
        author, rkey = match.group(1), match.group(2)
        return PublishedPost(url=url, post_id=f"at://{author}/app.bsky.feed.post/{rkey}", author=author)
    raise wrong
