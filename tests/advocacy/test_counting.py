import pytest

from advocacy.counting import (
    LIMITS,
    bluesky_length,
    caption_length,
    caption_lengths,
    code_points,
    counts_as_shared,
    mastodon_length,
    threads_length,
    x_length,
)

FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 7 code points, one grapheme
FLAG_FR = "\U0001f1eb\U0001f1f7"
THUMB_MEDIUM = "\U0001f44d\U0001f3fd"
E_COMBINING = "e\u0301"  # e + combining acute: NFC turns it into é
LONG_URL = "https://example.com/a/very/long/path/that/goes/on/and/on?utm_source=newsletter"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", 5),
        (FAMILY, 2),  # an emoji sequence counts 2 however many code points it has
        (FLAG_FR, 2),
        (THUMB_MEDIUM, 2),
        ("\u2764\ufe0f", 2),
        ("1\ufe0f\u20e3", 2),  # keycap
        (E_COMBINING, 1),  # normalised to é, which is in the weight-1 range
        ("x\u0301", 2),  # no precomposed form: two weight-1 code points
        ("日本語", 6),  # CJK weighs 2
        ("\u201cquoted\u201d", 8),  # U+201C/D are in the weight-1 range
        ("\u2026", 2),  # U+2026 is not
        (LONG_URL, 23),
        (f"Read {LONG_URL}.", 5 + 23 + 1),  # the full stop is not part of the URL
        ("see example.com/launch now", 4 + 23 + 4),  # X shortens URLs without a scheme too
        ("two http://a.example and https://b.example/x", 4 + 23 + 5 + 23),
    ],
)
def test_x_counts_the_way_twitter_text_does(text, expected):
    assert x_length(text) == expected


def test_x_allows_exactly_280():
    assert not caption_length("a" * 280, "x").over
    assert caption_length("a" * 281, "x").over
    assert caption_length("日" * 140, "x").count == 280
    assert caption_length("日" * 141, "x").over
    assert not caption_length(f"{'a' * 256} {LONG_URL}", "x").over  # 256 + 1 + 23


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", 5),
        (FAMILY, 1),
        (FLAG_FR, 1),
        (THUMB_MEDIUM, 1),
        (E_COMBINING, 1),
        ("x\u0301", 1),
        ("\r\n", 1),  # CR LF is one grapheme cluster
        (LONG_URL, len(LONG_URL)),  # the record holds the whole URL
    ],
)
def test_bluesky_counts_graphemes(text, expected):
    assert bluesky_length(text) == expected


def test_bluesky_allows_exactly_300_graphemes():
    assert not caption_length(FAMILY * 300, "bluesky").over
    assert caption_length(FAMILY * 301, "bluesky").over
    assert caption_length(E_COMBINING * 300, "bluesky").count == 300


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (FAMILY, 1),
        (LONG_URL, 23),
        (f"Read {LONG_URL}.", 5 + 23 + 1),
        ("example.com", 11),  # only URLs with a scheme are shortened
        ("thanks @alice@mastodon.social!", 7 + 6 + 1),  # a remote mention counts as @alice
        ("mail me: alice@example.com", 26),
    ],
)
def test_mastodon_counts_graphemes_with_urls_as_23(text, expected):
    assert mastodon_length(text) == expected


def test_linkedin_and_facebook_count_code_points():
    assert code_points(FAMILY) == 7
    assert caption_length("a" * 3000, "linkedin").over is False
    assert caption_length("a" * 3001, "linkedin").over is True
    assert caption_length("a" * 63206, "facebook").over is False
    assert caption_length("a" * 63207, "facebook").over is True


def test_every_network_has_a_count_and_a_limit():
    counts = caption_lengths("Hello")
    assert set(counts) == {"linkedin", "x", "facebook", "mastodon", "bluesky", "threads", "email"}
    assert {name: count.limit for name, count in counts.items()} == {str(k): v for k, v in LIMITS.items()}
    assert counts["email"].as_dict() == {"count": 5, "limit": 10000, "over": False}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", 5),
        ("日本語", 3),  # one each: only emoji count their bytes
        (E_COMBINING, 1),
        ("\U0001f44d", 4),  # an emoji counts its UTF-8 bytes (Threads API: "Emojis are counted as ... UTF-8 bytes")
        (THUMB_MEDIUM, 8),
        (FAMILY, len(FAMILY.encode("utf-8"))),  # 25: every byte of the sequence
        ("\u2764\ufe0f", 6),
        ("hi \U0001f44d", 3 + 4),
    ],
)
def test_threads_counts_emoji_as_their_utf8_bytes(text, expected):
    assert threads_length(text) == expected


def test_threads_takes_500():
    assert not caption_length("a" * 500, "threads").over
    assert caption_length("a" * 497 + "\U0001f44d", "threads").over


# --- What the network receives: the caption plus the tracked link the intent adds ------------

TRACKED = "http://127.0.0.1:8000/s/Abc123XYZ"  # 33 characters, like every tracked link here


@pytest.mark.parametrize(
    ("network", "caption", "expected"),
    [
        ("x", "a" * 280, 280 + 1 + 23),  # X joins text and url with a space; the URL counts 23
        ("bluesky", "a" * 300, 300 + 2 + 33),  # a blank line, then the whole link
        ("mastodon", "a" * 500, 500 + 2 + 23),
        ("linkedin", "a" * 3000, 3000 + 2 + 33),
        ("email", "a" * 10000, 10000 + 2 + 33),
        ("facebook", "a" * 63206, 63206),  # sharer.php takes the link as a card, not in the text
        ("threads", "a" * 500, 500 + 1 + 33),  # text, a space, the whole link
        ("x", "日" * 128, 256 + 1 + 23),
    ],
)
def test_a_caption_is_counted_with_the_link_the_network_receives(network, caption, expected):
    assert caption_length(caption, network, link=TRACKED).count == expected


def test_a_caption_at_the_limit_is_over_it_once_the_link_is_added():
    assert not caption_length("a" * 280, "x").over
    assert caption_length("a" * 280, "x", link=TRACKED).over
    assert not caption_length("a" * 256, "x", link=TRACKED).over
    assert caption_length("a" * 300, "bluesky", link=TRACKED).over
    assert not caption_length("a" * 265, "bluesky", link=TRACKED).over


def test_counts_as_shared_uses_a_link_as_long_as_a_tracked_one(settings):
    settings.SITE_URL = "https://advocacy.example.com"
    counts = counts_as_shared("Hi")
    assert counts["bluesky"]["count"] == 2 + 2 + len("https://advocacy.example.com/s/") + 9
    assert counts["x"]["count"] == 2 + 1 + 23
    assert counts["facebook"]["count"] == 2
    assert counts_as_shared("Hi", link=TRACKED)["linkedin"]["count"] == 2 + 2 + 33
