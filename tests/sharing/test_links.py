from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError

from advocacy.networks import text_sent
from sharing.links import (
    CODE_LENGTH,
    code_generate,
    destination_with_utm,
    intent_url,
    is_http_url,
    is_valid_code,
)
from sharing.published_posts import published_post_parse

LINK = "http://127.0.0.1:8000/s/Abc123XYZ"
CAPTION = "Proud of the team & the app! #launch"


def test_codes_are_short_url_safe_and_different_every_time():
    codes = {code_generate() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(code) == CODE_LENGTH and is_valid_code(code) and code.isalnum() for code in codes)


@pytest.mark.parametrize(
    "url",
    ["https://example.com", "http://example.com/a?b=c#d", "https://sub.example.co.uk:8443/path"],
)
def test_it_accepts_plain_http_urls(url):
    assert is_http_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "//evil.example",
        "/relative",
        "javascript:alert(1)",
        "data:text/html,x",
        "ftp://example.com",
        "https://example.com/\r\nSet-Cookie: a=b",
        "https://example.com/\nx",
        "https://exa mple.com",
        "https:\\\\evil.example",
        "https://example.com\\@evil.example",
        "https://user@evil.example",
        "https://",
        "https://example.com:99999999/",
        "https://example.com/" + "a" * 2000,
    ],
)
def test_it_refuses_anything_else(url):
    assert not is_http_url(url)


def test_destination_keeps_its_own_query_and_fragment():
    url = destination_with_utm(url="https://example.com/p?x=1&y=#top", network="x", campaign="spring")
    parts = urlsplit(url)
    assert parts.fragment == "top"
    assert parse_qs(parts.query, keep_blank_values=True) == {
        "x": ["1"],
        "y": [""],
        "utm_source": ["x"],
        "utm_medium": ["employee_advocacy"],
        "utm_campaign": ["spring"],
    }


def _query(url):
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def test_linkedin_opens_the_composer_with_caption_and_link():
    url = intent_url(network="linkedin", link=LINK, caption=CAPTION, title="T")
    assert url.startswith("https://www.linkedin.com/feed/?")
    assert _query(url) == {"shareActive": "true", "text": f"{CAPTION}\n\n{LINK}"}


def test_x_gets_text_and_url_separately():
    url = intent_url(network="x", link=LINK, caption=CAPTION, title="T")
    assert url.startswith("https://x.com/intent/tweet?")
    assert _query(url) == {"text": CAPTION, "url": LINK}


def test_facebook_gets_only_the_link():
    url = intent_url(network="facebook", link=LINK, caption=CAPTION, title="T")
    assert url.startswith("https://www.facebook.com/sharer/sharer.php?")
    assert _query(url) == {"u": LINK}


def test_mastodon_opens_the_employees_own_instance():
    url = intent_url(network="mastodon", link=LINK, caption=CAPTION, title="T", mastodon_instance="fosstodon.org")
    assert url.startswith("https://fosstodon.org/share?")
    assert _query(url) == {"text": f"{CAPTION}\n\n{LINK}"}
    with pytest.raises(ValueError):
        intent_url(network="mastodon", link=LINK, caption=CAPTION, title="T")


def test_bluesky_opens_the_compose_intent():
    url = intent_url(network="bluesky", link=LINK, caption=CAPTION, title="T")
    assert url.startswith("https://bsky.app/intent/compose?")
    assert _query(url) == {"text": f"{CAPTION}\n\n{LINK}"}


def test_threads_opens_the_post_intent_with_text_and_url():
    url = intent_url(network="threads", link=LINK, caption=CAPTION, title="T")
    assert url.startswith("https://www.threads.com/intent/post?")
    assert _query(url) == {"text": CAPTION, "url": LINK}


def test_email_is_a_mailto_with_subject_and_body():
    url = intent_url(network="email", link=LINK, caption=CAPTION, title="Big news")
    assert url.startswith("mailto:?")
    assert "+" not in url  # spaces are %20 in mailto, not +
    assert _query(url) == {"subject": "Big news", "body": f"{CAPTION}\r\n\r\n{LINK}"}


@pytest.mark.parametrize(
    ("network", "url", "post_id", "author"),
    [
        (
            "linkedin",
            "https://www.linkedin.com/feed/update/urn:li:activity:7123456789012345678/",
            "urn:li:activity:7123456789012345678",
            "",
        ),
        (
            "linkedin",
            "https://www.linkedin.com/posts/alice-archer_launch-activity-7123456789012345678-AbCd",
            "urn:li:activity:7123456789012345678",
            "alice-archer_launch",
        ),
        ("x", "https://x.com/alice/status/1790000000000000001", "1790000000000000001", "alice"),
        ("x", "https://twitter.com/alice/status/1790000000000000001?s=20", "1790000000000000001", "alice"),
        ("mastodon", "https://fosstodon.org/@alice/112233445566778899", "112233445566778899", "alice"),
        (
            "bluesky",
            "https://bsky.app/profile/alice.bsky.social/post/3kabcdefghij2",
            "at://alice.bsky.social/app.bsky.feed.post/3kabcdefghij2",
            "alice.bsky.social",
        ),
    ],
)
def test_it_reads_ids_from_published_post_urls(network, url, post_id, author):
    published = published_post_parse(network=network, url=url, mastodon_instance="fosstodon.org")
    assert (published.post_id, published.author) == (post_id, author)


@pytest.mark.parametrize(
    ("network", "url"),
    [
        ("linkedin", "https://www.linkedin.com/in/alice/"),
        ("linkedin", "https://evil.example/feed/update/urn:li:activity:7123456789012345678/"),
        ("linkedin", "http://www.linkedin.com/feed/update/urn:li:activity:7123456789012345678/"),
        ("x", "https://x.com/alice"),
        ("x", "https://x.com.evil.example/alice/status/1"),
        ("x", "https://www.linkedin.com/feed/update/urn:li:activity:7123456789012345678/"),
        ("mastodon", "https://mastodon.social/@alice/112233445566778899"),
        ("mastodon", "https://fosstodon.org/@alice"),
        ("bluesky", "https://bsky.app/profile/alice.bsky.social"),
        ("bluesky", "https://bsky.app/profile/alice.bsky.social/post/.."),
        ("bluesky", "javascript:alert(1)//bsky.app/profile/a.b/post/3kabcdefghij2"),
        ("facebook", "https://www.facebook.com/alice/posts/1"),
        ("email", "https://example.com"),
    ],
)
def test_it_refuses_urls_that_are_not_a_post_on_that_network(network, url):
    with pytest.raises(ValidationError):
        published_post_parse(network=network, url=url, mastodon_instance="fosstodon.org")


def test_a_mastodon_status_needs_the_employees_instance():
    with pytest.raises(ValidationError, match="Mastodon handle"):
        published_post_parse(network="mastodon", url="https://fosstodon.org/@alice/1", mastodon_instance="")


def test_email_body_line_breaks_are_crlf_as_rfc_6068_asks():
    url = intent_url(network="email", link=LINK, caption="Line one\r\nLine two\nLine three", title="T")
    body = url.split("body=", 1)[1]
    assert body.startswith("Line%20one%0D%0ALine%20two%0D%0ALine%20three%0D%0A%0D%0Ahttp%3A")
    assert "%0A" not in body.replace("%0D%0A", "")


@pytest.mark.parametrize("network", ["linkedin", "x", "mastodon", "bluesky", "threads", "email"])
def test_every_intent_carries_the_text_the_caption_check_counts(network):
    url = intent_url(network=network, link=LINK, caption=f"  {CAPTION}\n", title="T", mastodon_instance="a.social")
    query = _query(url)
    if network in ("x", "threads"):
        received = f"{query['text']} {query['url']}"  # counted as the text, a space and the link
    elif network == "email":
        received = query["body"].replace("\r\n", "\n")
    else:
        received = query["text"]
    assert received == text_sent(network=network, caption=CAPTION, link=LINK)


def test_facebook_receives_the_link_only_so_its_count_is_the_pasted_caption():
    assert _query(intent_url(network="facebook", link=LINK, caption=CAPTION, title="T")) == {"u": LINK}
    assert text_sent(network="facebook", caption=CAPTION, link=LINK) == CAPTION


def test_the_counting_placeholder_is_as_long_as_a_real_tracked_link():
    from advocacy.networks import tracked_link_placeholder
    from sharing.links import tracked_link

    assert len(tracked_link_placeholder()) == len(tracked_link(code_generate()))
