from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guidelines.rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, headings_of, plain_text_of, render_markdown

from .xss_corpus import ALLOWED_SCHEMES, PAYLOADS


class _Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements_of(html: str) -> list[tuple[str, dict]]:
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.elements


def assert_inert(html: str, media_url: str = "/media/") -> None:
    """Only allow-listed tags and attributes, no handlers, and only safe link and image targets."""
    for tag, attributes in elements_of(html):
        assert tag in ALLOWED_TAGS, (tag, html)
        for name in attributes:
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, (tag, name, html)
            assert not name.startswith("on"), html
        href = attributes.get("href")
        if href is not None:
            assert href.lower().startswith(ALLOWED_SCHEMES) or (
                href.startswith(("/", "#")) and not href.startswith("//")
            ), (href, html)
        src = attributes.get("src")
        if src is not None:
            assert src.startswith(media_url) and not src.startswith("//"), (src, html)
        if "id" in attributes:
            assert attributes["id"].startswith("sec-"), html
    assert "<script" not in html.lower()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_xss_payload_survives_the_pipeline(payload):
    assert_inert(render_markdown(payload))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(PAYLOADS),
            st.sampled_from(
                [
                    "<",
                    ">",
                    '"',
                    "'",
                    "`",
                    "javascript:",
                    "JaVaScRiPt:",
                    "data:",
                    "&#",
                    "&#x6a;",
                    "onerror=",
                    " onload=",
                    "<img src=x ",
                    "<a href=",
                    "<svg",
                    "<script>",
                    "](",
                    "[",
                    ")",
                    "![",
                    "\n",
                    "\t",
                    "\x00",
                    "#",
                    "*",
                    "|",
                    "{: ",
                    "}",
                ]
            ),
            st.text(max_size=20),
        ),
        max_size=25,
    ).map("".join)
)
def test_any_markdown_renders_to_inert_html(text):
    assert_inert(render_markdown(text))


def test_it_keeps_ordinary_markdown():
    html = render_markdown(
        "# Be yourself\n\nShare **your** view, [our site](https://example.com), "
        "[write to us](mailto:comms@example.com).\n\n| Do | Don't |\n|---|---|\n| a | b |\n\n"
        "![Logo on white](/media/guidelines/2026/01/logo.png)"
    )
    assert '<h2 id="sec-be-yourself">Be yourself</h2>' in html
    assert "<strong>your</strong>" in html
    assert 'href="https://example.com"' in html and 'href="mailto:comms@example.com"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "<table>" in html
    assert '<img alt="Logo on white" src="/media/guidelines/2026/01/logo.png">' in html


def test_it_drops_images_from_outside_our_media():
    for source in ("https://tracker.example/pixel.png", "//cdn.example/x.png", "/static/../media/x.png", "/media/../x"):
        assert "src=" not in render_markdown(f"![pixel]({source})"), source


def test_headings_make_a_table_of_contents_of_plain_text():
    html = render_markdown("## Do & don't\n\ntext\n\n### When <em>unsure</em>\n\n## FAQ")
    assert [(h.level, h.id, h.text) for h in headings_of(html)] == [
        (2, "sec-do-dont", "Do & don't"),
        (3, "sec-when-unsure", "When unsure"),
        (2, "sec-faq", "FAQ"),
    ]


def test_plain_text_drops_markup():
    assert plain_text_of(render_markdown("**Bold** and [link](https://x.example)")) == "Bold and link"
