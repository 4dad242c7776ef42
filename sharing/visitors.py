"""Who is clicking, without keeping who they are.

A visitor is an HMAC of the client address and user agent under a secret that
is derived from SECRET_KEY and the date, so hashes from different days cannot
be linked and the address itself is never stored. The sharer is recognised by a
signed cookie (no session, so no database query) or by the hash their browser
had when they shared.
"""

import functools
import hashlib
import hmac
import ipaddress
import re
from datetime import date, datetime, timedelta

from crawlerdetect import CrawlerDetect
from django.conf import settings
from django.core import signing
from django.utils import timezone

from advocacy.people.client_address import client_address

VISITOR_HASH_CHARS = 32
SHARER_COOKIE = "adv_sharer"
SHARER_COOKIE_MAX_AGE = 365 * 24 * 3600
SHARER_COOKIE_MAX_IDS = 5
_SHARER_SALT = "sharing.sharer"

# The community-maintained list (crawlerdetect) knows crawlers, monitors and HTTP libraries;
# ours adds link-preview fetchers and tools it misses or that appeared after its release
# (tests/sharing/test_visitors.py keeps real user agents of each). They get their redirect
# (previews need it) but are never counted.
_CRAWLER_DETECT = CrawlerDetect()
_BOT_USER_AGENT = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|preview|facebookexternalhit|facebookcatalog|meta-externalagent|"
    r"imgproxy|unfurl|link-?expander|urlresolver|prerender|kakaotalk-scrap|googleimageproxy|yahoomailproxy|"
    r"existence discovery|protocol discovery|ms-office|"
    r"embedly|iframely|whatsapp|skypeuripreview|bluesky|cardyb|mastodon|pleroma|akkoma|misskey|"
    r"http\.rb|headless|phantomjs|puppeteer|playwright|selenium|lighthouse|python-|python/|curl/|wget/|"
    r"go-http-client|okhttp|java/|libwww|httpclient|axios|node-fetch|undici|feedfetcher|"
    r"google-inspectiontool|googleother|applebot|yandex|baiduspider|duckduckgo|bingpreview|"
    r"linkedinbot|twitterbot|slackbot|discordbot|telegrambot|redditbot|pinterest|tumblr|vkshare|"
    r"quora link preview|outbrain|nuzzel|w3c_validator",
    re.IGNORECASE,
)


def is_bot(request) -> bool:
    """HEAD requests, empty user agents and known crawlers, previewers and libraries."""
    if request.method != "GET":
        return True
    return _is_bot_user_agent(request.META.get("HTTP_USER_AGENT", ""))


# Real traffic repeats a few thousand user agents; remembering the verdict keeps the
# long pattern off the hot path.
@functools.lru_cache(maxsize=4096)
def _is_bot_user_agent(user_agent: str) -> bool:
    user_agent = user_agent.strip()
    return not user_agent or bool(_BOT_USER_AGENT.search(user_agent)) or _CRAWLER_DETECT.is_crawler(user_agent)


@functools.lru_cache(maxsize=8)
def _daily_secret(secret_key: str, day: date) -> bytes:
    return hmac.new(secret_key.encode(), f"sharing-visitor:{day.isoformat()}".encode(), hashlib.sha256).digest()


def visitor_hash_for(*, address: str, user_agent: str, day: date) -> str:
    message = f"{address}\n{user_agent}".encode()
    return hmac.digest(_daily_secret(settings.SECRET_KEY, day), message, "sha256").hex()[:VISITOR_HASH_CHARS]


@functools.lru_cache(maxsize=4096)
def _address_key(address: str) -> str:
    # One IPv6 household or office gets a /64 and can pick any address in it.
    if ":" in address:
        try:
            return str(ipaddress.ip_network(f"{address}/64", strict=False))
        except ValueError:
            return address
    return address


def address_hash_for(*, address: str, day: date) -> str:
    """The client address alone (an IPv6 /64) under the day's secret: browsers behind one address share it.

    A different message from the visitor hash's, so the two never coincide.
    """
    message = f"address\n{_address_key(address)}".encode()
    return hmac.digest(_daily_secret(settings.SECRET_KEY, day), message, "sha256").hex()[:VISITOR_HASH_CHARS]


def request_hashes(request, *, now: datetime | None = None) -> tuple[str, str, str]:
    """Today's and yesterday's visitor hash, and today's address hash, for a click."""
    today = timezone.localdate(now or timezone.now())
    address = client_address(request)
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    return (
        visitor_hash_for(address=address, user_agent=user_agent, day=today),
        visitor_hash_for(address=address, user_agent=user_agent, day=today - timedelta(days=1)),
        address_hash_for(address=address, day=today),
    )


def visitor_hashes(request, *, now: datetime | None = None) -> tuple[str, str]:
    """Today's and yesterday's hash for this visitor.

    Yesterday's lets "once per 24 hours" hold across midnight, when the secret changes.
    """
    return request_hashes(request, now=now)[:2]


def sharer_ids_from_cookie(request) -> list[int]:
    """The ids of the people who shared from this browser, if its signed cookie is genuine."""
    raw = request.COOKIES.get(SHARER_COOKIE)
    if not raw:
        return []
    try:
        value = signing.Signer(salt=_SHARER_SALT).unsign(raw)
    except signing.BadSignature:
        return []
    return [int(part) for part in value.split(".") if part.isdigit()]


def set_sharer_cookie(request, response, *, user_id: int) -> None:
    """Remember on this browser that `user_id` shares from it, so their own clicks never count."""
    ids = [user_id] + [known for known in sharer_ids_from_cookie(request) if known != user_id]
    value = signing.Signer(salt=_SHARER_SALT).sign(".".join(str(i) for i in ids[:SHARER_COOKIE_MAX_IDS]))
    response.set_cookie(
        SHARER_COOKIE,
        value,
        max_age=SHARER_COOKIE_MAX_AGE,
        path="/s/",
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
