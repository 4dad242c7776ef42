"""Tracked-link codes, destinations and network share intents (published-post URLs: published_posts.py).

Pure functions: no database, no request. The redirect and the share service both
build on them so the rules (only http/https, UTM parameters, intent formats) live once.
"""

import functools
import re
import secrets
import string
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from django.conf import settings
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
    - Threads: `intent/post` with `text` and `url` (the link becomes the post's link attachment).
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
    if network == Network.THREADS:
        return "https://www.threads.com/intent/post?" + urlencode(
            {"text": text_sent(network=network, caption=caption, link=""), "url": link}, quote_via=quote
        )
    if network == Network.EMAIL:
        return "mailto:?" + urlencode(
            {"subject": title.replace("\r", " ").replace("\n", " "), "body": _text_with_link(network, caption, link)},
            quote_via=quote,
        )
    raise ValueError(f"Unknown network {network!r}")
