"""Caption length the way each network counts it, on the text the network receives.

Every share carries its tracked link, which the share intent appends to the caption
(advocacy.networks.text_sent: a blank line and the link; a space and the link on X;
nothing on Facebook, which takes the link as a card). The limits apply to that text,
so ``counts_as_shared`` counts it: the caption editor, the comms preview, the API and
the share check all show its number. Before a share exists its link is not known, but
its length is (``advocacy.networks.tracked_link_placeholder``).

- X: twitter-text's "weighted length" (config v3, which X publishes as the reference
  for its 280 limit): text is NFC-normalised; each URL counts 23 (t.co); each emoji
  sequence counts 2; other code points count 1 in U+0000-U+10FF, U+2000-U+200D,
  U+2010-U+201F and U+2032-U+2037, and 2 everywhere else (so CJK counts double).
  twitter-text also finds URLs without a scheme ("example.com"); we do for a list
  of common top-level domains.
- Mastodon: extended grapheme clusters (Ruby's each_grapheme_cluster in its
  StatusLengthValidator), each http(s) URL counts 23, and a remote mention
  @name@instance counts only as @name. Limit 500 (the default server setting).
- Bluesky: extended grapheme clusters, limit 300 (the app.bsky.feed.post record).
  URLs count in full: the record's text holds the whole URL.
- Threads: 500 characters, where an emoji counts as its UTF-8 bytes (Meta's Threads API
  "Posts" limitations: "Emojis are counted as the number of UTF-8 bytes"): each extended
  grapheme cluster counts 1, an emoji cluster the length of its UTF-8 encoding (👍 4, 👍🏽 8).
  Links count in full: the text holds them.
- LinkedIn (3,000) and Facebook (63,206): Unicode code points.
- Email: code points of the body (caption, blank line, link), with a generous limit so a
  caption still fits a mailto: link.

Python's re cannot match extended grapheme clusters; the regex package's \\X
implements Unicode's UAX #29 rules (emoji ZWJ sequences, flags, skin tones,
combining marks).
"""

import unicodedata
from dataclasses import dataclass

import regex

from advocacy.networks import CAPTION_LIMITS, Network, text_sent, tracked_link_placeholder

URL_LENGTH = 23
LIMITS = CAPTION_LIMITS

_TRAILING_PUNCTUATION = ".,;:!?'\")]}"
_SCHEME_URL = regex.compile(r"(?<![\w@])https?://[^\s<>\"]+", regex.IGNORECASE)
_COMMON_TLDS = (
    "com|org|net|io|co|dev|app|ai|info|biz|me|tv|eu|uk|de|fr|es|it|nl|be|ch|at|se|no|dk|fi|pl|pt|ie|us|ca|au|nz|jp|in"
)
_BARE_DOMAIN_URL = regex.compile(
    rf"(?<![\w@/.:-])(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+(?:{_COMMON_TLDS})(?![\w-])(?:/[^\s<>\"]*)?",
    regex.IGNORECASE,
)
_REMOTE_MENTION = regex.compile(r"(?<![\w@])(@[A-Za-z0-9_]+)@[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?![\w.-]*\w)")
_GRAPHEME = regex.compile(r"\X")
# What makes a grapheme cluster an emoji (twitter-text counts each one as 2, however many code points).
_EMOJI_SIGNS = regex.compile(r"\p{Emoji_Presentation}|\uFE0F|\u20E3|\p{Regional_Indicator}")
_X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


def _trim_url(url: str) -> str:
    # "See https://example.com/a." ends the URL before the full stop, as the networks do.
    while url and url[-1] in _TRAILING_PUNCTUATION:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _url_spans(text: str, *, bare_domains: bool) -> list[tuple[int, int]]:
    spans = []
    for match in _SCHEME_URL.finditer(text):
        url = _trim_url(match.group())
        if "." in url.split("://", 1)[1].split("/", 1)[0]:
            spans.append((match.start(), match.start() + len(url)))
    if bare_domains:
        for match in _BARE_DOMAIN_URL.finditer(text):
            start, end = match.start(), match.start() + len(_trim_url(match.group()))
            if not any(s <= start < e for s, e in spans):
                spans.append((start, end))
    return sorted(spans)


def _replace_spans(text: str, spans: list[tuple[int, int]], placeholder: str) -> str:
    pieces, last = [], 0
    for start, end in spans:
        pieces.append(text[last:start])
        pieces.append(placeholder)
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def graphemes(text: str) -> int:
    return len(_GRAPHEME.findall(text))


def _is_emoji(cluster: str) -> bool:
    return bool(_EMOJI_SIGNS.search(cluster))


def _x_code_point_weight(char: str) -> int:
    code = ord(char)
    return 1 if any(start <= code <= end for start, end in _X_LIGHT_RANGES) else 2


def x_length(text: str) -> int:
    """X's weighted length (twitter-text v3)."""
    text = unicodedata.normalize("NFC", text)
    spans = _url_spans(text, bare_domains=True)
    total, last = 0, 0
    for start, end in [*spans, (len(text), len(text))]:
        for cluster in _GRAPHEME.findall(text[last:start]):
            if _is_emoji(cluster):
                total += 2
            else:
                total += sum(_x_code_point_weight(char) for char in cluster)
        if end > start:
            total += URL_LENGTH
        last = end
    return total


def mastodon_length(text: str) -> int:
    text = _replace_spans(text, _url_spans(text, bare_domains=False), "x" * URL_LENGTH)
    text = _REMOTE_MENTION.sub(lambda match: match.group(1), text)
    return graphemes(text)


def bluesky_length(text: str) -> int:
    return graphemes(text)


def threads_length(text: str) -> int:
    return sum(len(cluster.encode("utf-8")) if _is_emoji(cluster) else 1 for cluster in _GRAPHEME.findall(text))


def code_points(text: str) -> int:
    return len(text)


COUNTERS = {
    Network.X: x_length,
    Network.MASTODON: mastodon_length,
    Network.BLUESKY: bluesky_length,
    Network.THREADS: threads_length,
    Network.LINKEDIN: code_points,
    Network.FACEBOOK: code_points,
    Network.EMAIL: code_points,
}


@dataclass(frozen=True)
class Count:
    count: int
    limit: int

    @property
    def over(self) -> bool:
        return self.count > self.limit

    def as_dict(self) -> dict:
        return {"count": self.count, "limit": self.limit, "over": self.over}


def caption_length(text: str, network: str, *, link: str = "") -> Count:
    """How long a caption is on a network, and that network's limit.

    With ``link``, what is counted is the text the network receives (the caption plus the
    link, as advocacy.networks.text_sent composes it); without, the caption alone.
    """
    network = Network(network)
    if link:
        text = text_sent(network=network, caption=text, link=link)
    return Count(count=COUNTERS[network](text), limit=LIMITS[network])


def caption_lengths(text: str, *, link: str = "") -> dict[str, Count]:
    """caption_length for every network, keyed by network value."""
    return {network.value: caption_length(text, network.value, link=link) for network in Network}


def counts_as_shared(text: str, *, link: str | None = None) -> dict[str, dict]:
    """{network: {"count", "limit", "over"}} for the caption as shared, tracked link included.

    The one count every page and the API show; ``link`` is the share's own tracked link
    when it exists, else one of the same length.
    """
    link = tracked_link_placeholder() if link is None else link
    return {name: count.as_dict() for name, count in caption_lengths(text, link=link).items()}
