"""Guideline Markdown to safe HTML: render with Python-Markdown, then sanitise with an nh3 allow-list.

Whatever Markdown or raw HTML a document contains, only the tags and
attributes listed here survive, links may only use http, https or mailto (or
point inside the page / the site), and images may only come from our own media
storage (uploads re-encoded by advocacy.imaging): an outside image would track
readers, and the Content-Security-Policy would block it anyway.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import markdown
import nh3
from django.conf import settings
from django.utils.text import slugify

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "th": {"align"},
    "td": {"align"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Their content is dropped too, not just the tags: the text of a <script> is never prose.
DROP_WITH_CONTENT = {"script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math", "title"}
# Heading ids get this prefix, so no heading can clobber a DOM global or an id the page relies on.
HEADING_ID_PREFIX = "sec-"
_HEADING_ID = re.compile(rf"^{HEADING_ID_PREFIX}[a-z0-9-]{{1,80}}$")
_ALIGN = {"left", "right", "center"}
_DIMENSION = re.compile(r"^[0-9]{1,4}$")
_H1 = re.compile(r"<(/?)h1\b", re.IGNORECASE)


def _heading_slug(value: str, separator: str) -> str:
    return HEADING_ID_PREFIX + (slugify(value)[:70] or "section")


def _media_path_is_ours(value: str) -> bool:
    media_url = settings.MEDIA_URL
    return (
        value.startswith(media_url)
        and media_url.startswith("/")
        and not value.startswith("//")
        and ".." not in value
        and "\\" not in value
        and all(32 < ord(char) < 127 for char in value)
    )


def _link_is_allowed(value: str) -> bool:
    # nh3 checks schemes too, but treats anything it cannot parse as a scheme (say "java  script:")
    # as a relative URL; here only the three schemes, in-page (#...) and site (/...) links pass, never //host.
    if value.lower().startswith(("http://", "https://", "mailto:")):
        return True
    return value.startswith("#") or (value.startswith("/") and not value.startswith("//") and "\\" not in value)


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if _media_path_is_ours(value) else None
    if tag == "a" and attribute == "href":
        return value if _link_is_allowed(value) else None
    if attribute == "id":
        return value if _HEADING_ID.match(value) else None
    if attribute == "align":
        return value if value in _ALIGN else None
    if attribute in ("width", "height"):
        return value if _DIMENSION.match(value) else None
    return value


def sanitize_html(html: str) -> str:
    """Keep only the allow-listed tags, attributes and URLs of an HTML fragment."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Guideline Markdown to sanitised HTML; headings carry ids, and a "# title" becomes h2 (the page has the h1)."""
    converter = markdown.Markdown(
        extensions=["tables", "fenced_code", "sane_lists", "toc"],
        extension_configs={"toc": {"slugify": _heading_slug}},
        output_format="html",
    )
    return sanitize_html(_H1.sub(r"<\1h2", converter.convert(text or "")))


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str


class _HeadingCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings: list[Heading] = []
        self._current: tuple[int, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("h2", "h3"):
            self._current = (int(tag[1]), dict(attrs).get("id") or "")
            self._text = []

    def handle_endtag(self, tag):
        if self._current and tag == f"h{self._current[0]}":
            level, heading_id = self._current
            text = " ".join("".join(self._text).split())
            if heading_id and text:
                self.headings.append(Heading(level=level, id=heading_id, text=text))
            self._current = None

    def handle_data(self, data):
        if self._current:
            self._text.append(data)


def headings_of(html: str) -> list[Heading]:
    """The h2/h3 headings of sanitised HTML, for a table of contents (text only, never markup)."""
    collector = _HeadingCollector()
    collector.feed(html)
    collector.close()
    return collector.headings


class _TextCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def plain_text_of(html: str) -> str:
    """The readable text of sanitised HTML with whitespace collapsed (for search excerpts)."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return " ".join(" ".join(collector.parts).split())
