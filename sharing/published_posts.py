"""Published-post URLs: the one function that decides whether a pasted link is a post on a network.

The paste form, the API, the share service and the metrics providers all call
``published_post_parse``, so a URL is accepted or refused the same way everywhere
(a table test runs many URL forms through each of them). Pure functions: no
database, no request.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError

from advocacy.networks import Network

from .links import is_http_url, landing_link, tracked_link

EXAMPLES = {
    Network.LINKEDIN: "https://www.linkedin.com/feed/update/urn:li:activity:7123456789012345678/",
    Network.X: "https://x.com/yourname/status/1790000000000000000",
    Network.MASTODON: "https://your.instance/@you/112233445566778899",
    Network.BLUESKY: "https://bsky.app/profile/you.bsky.social/post/3kabcdefghij2",
    Network.THREADS: "https://www.threads.com/@you/post/C8aBcDeFgHi",
}
# Networks whose posts we can check are the employee's own from public answers. LinkedIn
# (and Threads) show the author only to a connected account, which does not exist yet.
VERIFIABLE_NETWORKS = {Network.MASTODON, Network.BLUESKY, Network.X}


@dataclass(frozen=True)
class PublishedPost:
    """What the metrics workers need to find a published post again.

    ``post_id`` is the network's own id (LinkedIn URN, tweet id, Mastodon status id,
    Bluesky at:// URI, Threads shortcode: its media id is learnt through the connected
    account); ``instance`` is the Mastodon host the status lives on;
    ``key`` is the normalised id that one share at most may claim.
    """

    url: str
    post_id: str
    author: str
    instance: str = ""

    @property
    def key(self) -> str:
        return f"{self.instance}/{self.post_id}" if self.instance else self.post_id


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="invalid_post_url")


def _wrong(network: str) -> ValidationError:
    label = Network(network).label
    article = "an" if label == "X" or label[0] in "AEIOU" else "a"
    return _refuse(f"That is not {article} {label} post URL; it looks like {EXAMPLES[network]}")


def published_post_parse(*, network: str, url: str, mastodon_instance: str = "") -> PublishedPost:
    """Check that `url` is a single post on `network` and pull out its ids; ValidationError says why not.

    For Mastodon the status must be on `mastodon_instance` (the employee's own server,
    where its reactions are counted); the metrics providers pass the URL's own host.
    """
    url = (url or "").strip()
    if network not in EXAMPLES:
        raise _refuse(f"Posts on {Network(network).label} cannot be linked back; nothing to add here.")
    if network == Network.MASTODON and not mastodon_instance:
        raise _refuse("Add your Mastodon handle to your profile first, so we know your instance.")
    try:
        parts = urlsplit(url)
        unusual = "@" in parts.netloc or parts.port not in (None, 443)
    except ValueError:
        parts, unusual = None, True
    if parts is not None and parts.scheme == "https" and unusual:
        raise _refuse("That link has an unusual address; copy it again from the post itself.")
    if parts is None or parts.scheme != "https" or not is_http_url(url):
        if network == Network.MASTODON:
            raise _refuse("A Mastodon post link starts with https://")
        raise _wrong(network)
    host = (parts.hostname or "").lower().rstrip(".")
    parse = {
        Network.LINKEDIN: _linkedin,
        Network.X: _x,
        Network.MASTODON: _mastodon,
        Network.BLUESKY: _bluesky,
        Network.THREADS: _threads,
    }[network]
    return parse(url=url, host=host, path=parts.path, instance=mastodon_instance.lower())


# --- LinkedIn -----------------------------------------------------------------------------------

_LINKEDIN_HOST = re.compile(r"(?:www\.|[a-z]{2}\.)?linkedin\.com")
_LINKEDIN_URN = r"urn:li:(?P<kind>activity|share|ugcPost):(?P<id>[0-9]{1,25})"
_LINKEDIN_FEED = re.compile(rf"(?:/embed)?/feed/update/{_LINKEDIN_URN}/?")
_LINKEDIN_POSTS = re.compile(
    r"/posts/(?P<author>[^/]*?)-(?P<kind>activity|share|ugcPost)-(?P<id>[0-9]{6,25})(?:-[A-Za-z0-9_-]*)?/?"
)


def _linkedin(*, url, host, path, instance) -> PublishedPost:
    if host == "lnkd.in":
        raise _refuse(
            "That is a shortened link (lnkd.in), which does not say which post it is; open it and paste "
            "the post's full linkedin.com address (… → Copy link to post)."
        )
    if not _LINKEDIN_HOST.fullmatch(host):
        raise _wrong(Network.LINKEDIN)
    path = unquote(path)
    if match := _LINKEDIN_FEED.fullmatch(path):
        return PublishedPost(url=url, post_id=f"urn:li:{match['kind']}:{match['id']}", author="")
    if match := _LINKEDIN_POSTS.fullmatch(path):
        return PublishedPost(url=url, post_id=f"urn:li:{match['kind']}:{match['id']}", author=match["author"])
    raise _refuse('That is not a link to a single LinkedIn post; use the post\'s "Copy link to post".')


# --- X ---------------------------------------------------------------------------------------------

_X_HOSTS = {"x.com", "www.x.com", "mobile.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com"}
# /<user>/status/<id>, the photo/video viewers and counters under it, and the /i/web/status/<id> form.
_X_STATUS = re.compile(
    r"/(?:(?P<user>[A-Za-z0-9_]{1,15})|i(?:/web)?)/status(?:es)?/(?P<id>[0-9]{1,20})"
    r"(?:/(?:photo|video)/[1-4]|/analytics|/quotes|/retweets|/likes|/history)?/?"
)


def _x(*, url, host, path, instance) -> PublishedPost:
    if host not in _X_HOSTS:
        raise _wrong(Network.X)
    match = _X_STATUS.fullmatch(path)
    if not match:
        raise _refuse("That is not a link to a single X post (…/status/<number>).")
    author = "" if match["user"] in (None, "i") else match["user"].lower()
    return PublishedPost(url=url, post_id=str(int(match["id"])), author=author)


# --- Mastodon ------------------------------------------------------------------------------------

_OTHER_NETWORKS = {
    "x.com": "X",
    "twitter.com": "X",
    "bsky.app": "Bluesky",
    "linkedin.com": "LinkedIn",
    "lnkd.in": "LinkedIn",
    "facebook.com": "Facebook",
    "threads.net": "Threads",
    "threads.com": "Threads",
}
_HOST = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}")
_MASTODON_USER = r"(?P<user>[A-Za-z0-9_.-]+)(?:@(?P<remote>[^/@]+))?"
_MASTODON_PATHS = [
    re.compile(rf"/(?:web/)?@{_MASTODON_USER}/(?P<id>[0-9]{{1,32}})/?"),
    re.compile(r"/users/(?P<user>[A-Za-z0-9_.-]+)/statuses/(?P<id>[0-9]{1,32})/?"),
    re.compile(r"/web/statuses/(?P<id>[0-9]{1,32})/?"),
]


def _mastodon(*, url, host, path, instance) -> PublishedPost:
    for domain, name in _OTHER_NETWORKS.items():
        if host == domain or host.endswith("." + domain):
            raise _refuse(f"That is a {name} link, not a Mastodon one.")
    if not _HOST.fullmatch(host):
        raise _refuse("A Mastodon post link names your server, such as https://mastodon.social/@you/1234.")
    if host != instance:
        raise _refuse(f"That status is not on your instance ({instance}); open it there and paste that link.")
    for pattern in _MASTODON_PATHS:
        if not (match := pattern.fullmatch(path)):
            continue
        remote = match.groupdict().get("remote")
        if remote and remote.lower() != host:
            raise _refuse(
                f"That is {host}'s copy of a post from {remote}. Open the post on {remote} "
                "(your own server) and paste that link, so we count all its reactions."
            )
        author = (match.groupdict().get("user") or "").lower()
        return PublishedPost(url=url, post_id=match["id"], author=author, instance=host)
    raise _refuse("That is not a link to a single Mastodon post, such as https://mastodon.social/@you/1234.")


# --- Bluesky ---------------------------------------------------------------------------------------

_BLUESKY_HOSTS = {"bsky.app", "www.bsky.app"}
_HANDLE = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?")
_DID = re.compile(r"did:(?:plc:[a-z2-7]{24}|web:[a-z0-9.:%-]+)")
_RKEY = re.compile(r"[A-Za-z0-9._:~-]{1,512}")
_BLUESKY_PATH = re.compile(r"/profile/(?P<actor>[^/]+)/post/(?P<rkey>[^/]+)/?")


def at_uri(actor: str, rkey: str) -> str:
    return f"at://{actor}/app.bsky.feed.post/{rkey}"


def _bluesky(*, url, host, path, instance) -> PublishedPost:
    if host not in _BLUESKY_HOSTS:
        raise _wrong(Network.BLUESKY)
    match = _BLUESKY_PATH.fullmatch(path)
    if not match:
        raise _refuse("That is not a link to a single Bluesky post (…/profile/<you>/post/<id>).")
    actor, rkey = match["actor"], match["rkey"]
    if actor.lower().startswith("did:"):
        if not _DID.fullmatch(actor):
            raise _refuse("The account part of that Bluesky link is not a valid DID.")
    else:
        actor = actor.lower().lstrip("@")
        if not _HANDLE.fullmatch(actor):
            raise _refuse("The account part of that Bluesky link is not a valid handle.")
    if not _RKEY.fullmatch(rkey) or rkey in (".", ".."):
        raise _refuse("The post part of that Bluesky link is not a valid post id.")
    return PublishedPost(url=url, post_id=at_uri(actor, rkey), author=actor)


# --- Threads ---------------------------------------------------------------------------------------

_THREADS_HOSTS = {"threads.com", "www.threads.com", "threads.net", "www.threads.net"}
_THREADS_PATH = re.compile(r"/@(?P<user>[A-Za-z0-9._]{1,30})/post/(?P<code>[A-Za-z0-9_-]{5,64})(?:/media)?/?")


def _threads(*, url, host, path, instance) -> PublishedPost:
    if host not in _THREADS_HOSTS:
        raise _wrong(Network.THREADS)
    match = _THREADS_PATH.fullmatch(path)
    if not match:
        raise _refuse("That is not a link to a single Threads post (…/@<you>/post/<code>).")
    return PublishedPost(url=url, post_id=match["code"], author=match["user"].lower())


# --- the tracked link in the post -------------------------------------------------------------------


def mentions_share_link(*, code: str, texts: Iterable[str]) -> bool:
    """Whether any of `texts` (post text, link facets, card URLs) carries the share's tracked or landing link.

    Compared without the scheme, since networks show links without it; the code must
    end there (a longer code is another link).
    """
    needles = [link.split("://", 1)[-1].rstrip("/") for link in (tracked_link(code), landing_link(code))]
    # Case matters: codes are case-sensitive, so /s/AbC is not /s/abc.
    pattern = re.compile("(?:" + "|".join(re.escape(needle) for needle in needles) + r")(?![A-Za-z0-9])")
    return any(pattern.search(text or "") for text in texts)


# --- what each verification state means to the employee ---------------------------------------------

VERIFICATION_HELP = {
    "verifying": "We check the post with the network at its first pull, usually within minutes. "
    "Its likes and reposts earn points once it is verified.",
    "verified": "The post is yours and carries your tracked link: its likes, reposts and replies earn points.",
    "not_yours": "The post was published by another account. Only your own posts earn points: paste the "
    "link to the post you published, or fix your handle on your profile if it is out of date.",
    "link_missing": "The post does not contain your tracked link, so its clicks cannot be counted either. "
    "Edit the post to include the link (or post again with it) and paste the new post's address.",
    "unverifiable": "This network does not tell us who wrote a post without a connected account, which is "
    "not available yet. Its numbers are shown but earn no points.",
    "claimed": "Another share already claims this post; one post counts for one share.",
}
