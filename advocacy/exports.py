"""Streamed CSV downloads, shared by the apps that export tables."""

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse


class _Echo:
    """csv.writer wants a file; this one hands each formatted line straight back."""

    def write(self, value: str) -> str:
        return value


def csv_response(rows: Iterable[list], *, filename: str) -> StreamingHttpResponse:
    """A CSV attachment written as it streams, so a long export starts at once in bounded memory."""
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def spreadsheet_safe(value) -> str:
    """The cell as text, defused if a spreadsheet would run it as a formula (people type these values)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
