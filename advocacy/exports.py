"""The one CSV writer: every CSV the product hands out is written here, every cell defused.

Spreadsheets run a cell as a formula when it starts with ``=``, ``+``, ``-`` or ``@``
(and some also after a tab, a carriage return, leading spaces or quotes), so a display
name such as ``=HYPERLINK(...)`` would run on the reader's machine. OWASP's answer is to
prefix such a cell with a single quote; doing it here, in the writer, means a new export
cannot forget it.
"""

import csv
import re
from collections.abc import Iterable
from decimal import Decimal

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Leading characters some spreadsheets skip before deciding whether a cell is a formula.
_SKIPPED_LEAD = " \t\r\n\"'\u00a0\u3000"
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


class _Echo:
    """csv.writer wants a file; this one hands each formatted line straight back."""

    def write(self, value: str) -> str:
        return value


def csv_response(rows: Iterable[list], *, filename: str) -> StreamingHttpResponse:
    """A CSV attachment written as it streams, so a long export starts at once in bounded memory.

    Every cell of every row (headers and ``#`` comment rows included) passes through
    :func:`spreadsheet_safe`; callers hand over raw values.
    """
    writer = csv.writer(_Echo())
    lines = (writer.writerow([spreadsheet_safe(value) for value in row]) for row in rows)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def spreadsheet_safe(value) -> str:
    """The cell as text, defused if a spreadsheet could run it as a formula."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)  # a number we computed, never a formula
    text = str(value)
    if is_formula_like(text):
        return "'" + text
    return text


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet might read this cell as a formula (a plain number like -3 is not)."""
    if _PLAIN_NUMBER.fullmatch(text):
        return False
    if text[:1] in FORMULA_STARTS:
        return True
    stripped = text.lstrip(_SKIPPED_LEAD)
    return stripped != text and stripped[:1] in FORMULA_STARTS
