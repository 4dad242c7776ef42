"""Design-system template tags: {% load ui %}.

- {% avatar user %} / {% avatar user size="lg" %}: the photo, or initials on a colour picked from the name.
- {% datatable %}<table class="table">…</table>{% enddatatable %}: adds class "data-table" and gives
  every body cell a data-label from its column header, so the table stacks into cards on a phone.
- {% page_header %}Title with {{ markup }}{% lede %}Optional lede{% actions %}Optional buttons{% endpage_header %}:
  the page header component (components/page_header.html) for titles that are more than a string.
- {% branding_current as brand %}: the organisation's branding where no request context runs (emails).
"""

import zlib
from html import escape
from html.parser import HTMLParser

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from advocacy.branding.selectors import branding_current as _branding_current

register = template.Library()
AVATAR_COLOURS = 6


def initials(name: str) -> str:
    words = [word for word in (name or "").replace(".", " ").split() if word[:1].isalnum()]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:2].upper()
    return (words[0][0] + words[-1][0]).upper()


@register.inclusion_tag("components/avatar.html")
def avatar(user, size=""):
    name = getattr(user, "name", "") or str(user or "")
    photo = getattr(user, "avatar", None)
    colour = zlib.crc32(name.encode()) % AVATAR_COLOURS
    return {
        "name": name,
        "photo_url": photo.url if photo else "",
        "initials": initials(name),
        "size": size,
        "colour": colour,
    }


@register.simple_tag
def branding_current():
    return _branding_current()


class _TableLabeller(HTMLParser):
    """Finds where each body cell's start tag ends and which header its column has."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.source = source
        self.line_starts = [0]
        # HTMLParser counts lines by "\n" only (not every character splitlines() breaks on).
        for line in source.split("\n"):
            self.line_starts.append(self.line_starts[-1] + len(line) + 1)
        self.depth = 0
        self.in_head = False
        self.headers: list[str] = []
        self.header_text: list[str] | None = None
        self.header_span = 1
        self.column = 0
        self.inserts: list[tuple[int, str]] = []
        self.table_tag: tuple[int, str] | None = None

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.depth += 1
            if self.depth == 1 and self.table_tag is None:
                self.table_tag = (self._offset(), self.get_starttag_text())
            return
        if self.depth != 1:
            return
        if tag == "thead":
            self.in_head = True
        elif tag == "tr":
            self.column = 0
        elif tag in ("th", "td"):
            span = int(dict(attrs).get("colspan") or 1)
            if self.in_head:
                self.header_text, self.header_span = [], span
            else:
                names = dict(attrs)
                if "data-label" not in names and self.column < len(self.headers):
                    # A cell across several columns ("No draws yet.") belongs to none of them.
                    label = self.headers[self.column] if span == 1 else ""
                    start = self._offset()
                    self.inserts.append((start + 1 + len(tag), f' data-label="{escape(label)}"'))
                self.column += span

    def handle_endtag(self, tag):
        if tag == "table":
            self.depth -= 1
        elif self.depth == 1 and tag == "thead":
            self.in_head = False
        elif self.depth == 1 and tag in ("th", "td") and self.header_text is not None:
            text = " ".join("".join(self.header_text).split())
            self.headers.extend([text] * self.header_span)
            self.header_text = None

    def handle_data(self, data):
        if self.header_text is not None:
            self.header_text.append(data)


def label_table(html: str) -> str:
    """The table with class data-table and data-label on each body cell (from the thead's text)."""
    parser = _TableLabeller(html)
    parser.feed(html)
    parser.close()
    inserts = list(parser.inserts)
    if parser.table_tag is not None:
        start, tag_text = parser.table_tag
        if 'class="' in tag_text:
            position = start + tag_text.index('class="') + len('class="')
            inserts.append((position, "data-table "))
        else:
            inserts.append((start + len("<table"), ' class="data-table"'))
    out, previous = [], 0
    for position, text in sorted(inserts):
        out.append(html[previous:position])
        out.append(text)
        previous = position
    out.append(html[previous:])
    return "".join(out)


class DataTableNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        # The rendered template (already escaped) plus attributes whose values label_table escapes.
        return mark_safe(label_table(self.nodelist.render(context)))  # noqa: S308  # nosec B308 B703 - escaped above


@register.tag
def datatable(parser, token):
    nodelist = parser.parse(("enddatatable",))
    parser.delete_first_token()
    return DataTableNode(nodelist)


PAGE_HEADER_PARTS = ("lede", "actions")


class PageHeaderNode(template.Node):
    def __init__(self, parts: dict):
        self.parts = parts

    def render(self, context):
        # Each part is a rendered (autoescaped) piece of the page's own template.
        values = {name: mark_safe(nodelist.render(context).strip()) for name, nodelist in self.parts.items()}  # noqa: S308  # nosec B308 B703
        return render_to_string("components/page_header.html", values)


@register.tag
def page_header(parser, token):
    """{% page_header %}title{% lede %}…{% actions %}…{% endpage_header %}: lede and actions are optional."""
    parts, name = {}, "title"
    while True:
        nodelist = parser.parse(PAGE_HEADER_PARTS + ("endpage_header",))
        parts[name] = nodelist
        name = parser.next_token().contents.split()[0]
        if name == "endpage_header":
            return PageHeaderNode(parts)
        if name in parts:
            raise template.TemplateSyntaxError(f"page_header has a second {{% {name} %}}")
