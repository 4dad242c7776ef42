"""Reading a people spreadsheet (CSV or XLSX) into plain rows, within size limits.

Nothing here touches the database: a file is either read whole into ``(line, {column: text})``
rows, or refused with one `ImportFileError` sentence saying what is wrong and how to fix it.
XLSX is read with openpyxl in read-only mode (rows stream from the zipped XML instead of
building the whole workbook), after checking how big its parts are once unpacked.
"""

from __future__ import annotations

import csv
import io
import zipfile

from django.conf import settings
from django.utils.translation import gettext, ngettext

COLUMNS = ("name", "email", "team", "roles", "manager")
REQUIRED_COLUMNS = ("name", "email")
_ALIASES = {
    "name": "name",
    "full name": "name",
    "display name": "name",
    "email": "email",
    "e-mail": "email",
    "email address": "email",
    "work email": "email",
    "team": "team",
    "department": "team",
    "role": "roles",
    "roles": "roles",
    "manager": "manager",
    "manager email": "manager",
}
# An XLSX is a zip; its parts may unpack to at most this many times the upload limit.
XLSX_UNPACKED_FACTOR = 20


class ImportFileError(Exception):
    """The file cannot be read as a people list; `str()` says why in plain words."""


def _max_bytes() -> int:
    return settings.PEOPLE_IMPORT_MAX_MB * 1024 * 1024


def _header(cells) -> list[str]:
    columns, unknown = [], []
    for cell in cells:
        label = " ".join(str(cell or "").replace("_", " ").split()).casefold()
        column = _ALIASES.get(label, "")
        if label and not column:
            unknown.append(str(cell).strip())
        columns.append(column)
    if unknown:
        raise ImportFileError(
            ngettext(
                "The first row names a column we do not know: %(columns)s. "
                "Use name, email, team, roles and manager (see the sample file).",
                "The first row names columns we do not know: %(columns)s. "
                "Use name, email, team, roles and manager (see the sample file).",
                len(unknown),
            )
            % {"columns": ", ".join(unknown)}
        )
    present = [column for column in columns if column]
    duplicated = sorted({column for column in present if present.count(column) > 1})
    if duplicated:
        raise ImportFileError(
            gettext("The column %(columns)s appears more than once in the first row.")
            % {"columns": ", ".join(duplicated)}
        )
    missing = [column for column in REQUIRED_COLUMNS if column not in present]
    if missing:
        raise ImportFileError(
            ngettext(
                "The first row must name the columns; %(columns)s is missing. "
                "Use name, email, team, roles and manager (see the sample file).",
                "The first row must name the columns; %(columns)s are missing. "
                "Use name, email, team, roles and manager (see the sample file).",
                len(missing),
            )
            % {"columns": gettext(" and ").join(missing)}
        )
    return columns


def _rows(lines) -> list[tuple[int, dict[str, str]]]:
    """(line number, {column: text}) for each non-blank row after the header."""
    iterator = iter(lines)
    header = None
    for _number, cells in iterator:
        if any(str(cell or "").strip() for cell in cells):
            header = _header(cells)
            break
    if header is None:
        raise ImportFileError(
            gettext("The file is empty: it needs a first row naming the columns, then one row per person.")
        )
    rows = []
    limit = settings.PEOPLE_IMPORT_MAX_ROWS
    for number, cells in iterator:
        values = [_text(cell) for cell in cells]
        if not any(values):
            continue
        if len(rows) >= limit:
            raise ImportFileError(
                gettext(
                    "The file has more than %(limit)s people; split it into several files of at most %(limit)s rows."
                )
                % {"limit": f"{limit:,}"}
            )
        if len(values) > len(header) and any(values[len(header) :]):
            raise ImportFileError(
                gettext("Line %(number)s has more cells than the first row has columns.") % {"number": number}
            )
        rows.append((number, {column: value for column, value in zip(header, values, strict=False) if column}))
    if not rows:
        raise ImportFileError(gettext("The file has a header row but nobody in it."))
    return rows


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return " ".join(str(cell).split())


def _read_csv(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            gettext(
                "This CSV file is not UTF-8 text. In Excel choose File › Save As › “CSV UTF-8”, or upload the XLSX."
            )
        ) from None
    if "\x00" in text:
        raise ImportFileError(gettext("This file contains binary data, not CSV text. Upload a .csv or .xlsx file."))
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        lines = [(reader.line_num, cells) for cells in reader]
    except csv.Error as error:
        raise ImportFileError(
            gettext("Line %(number)s of the CSV cannot be read (%(error)s).")
            % {"number": reader.line_num, "error": error}
        ) from None
    return lines


def _read_xlsx(data: bytes):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise ImportFileError(
            "This XLSX file is damaged or not really an XLSX file. Save it again and retry."
        ) from None
    if unpacked > XLSX_UNPACKED_FACTOR * _max_bytes():
        raise ImportFileError(
            "This XLSX file unpacks to far more data than a people list needs; save just the people as CSV instead."
        )
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError):
        raise ImportFileError("This XLSX file cannot be opened. Save it again from your spreadsheet program.") from None
    try:
        sheet = workbook.worksheets[0]
        # A generator: _rows stops reading once the row limit is passed.
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile) as error:
        raise ImportFileError(f"This XLSX file cannot be read ({error.__class__.__name__}).") from None
    finally:
        workbook.close()


def read_people_file(*, name: str, data: bytes) -> list[tuple[int, dict[str, str]]]:
    """The rows of an uploaded CSV or XLSX, or ImportFileError saying why it cannot be used."""
    if len(data) > _max_bytes():
        raise ImportFileError(
            f"The file is larger than {settings.PEOPLE_IMPORT_MAX_MB} MB; split it into smaller files."
        )
    if not data.strip():
        raise ImportFileError(gettext("The file is empty."))
    lowered = name.casefold()
    is_zip = data[:4] == b"PK\x03\x04"
    if lowered.endswith(".xlsx") or (is_zip and not lowered.endswith(".csv")):
        if not is_zip:
            raise ImportFileError("This file is named .xlsx but is not an XLSX workbook. Save it again as XLSX or CSV.")
        return _rows(_read_xlsx(data))
    if lowered.endswith((".xls", ".ods", ".numbers")):
        raise ImportFileError("Only CSV and XLSX files can be imported; save the spreadsheet as one of those.")
    if is_zip:
        raise ImportFileError("This file is a zip archive, not CSV text. Upload the .xlsx or .csv itself.")
    return _rows(_read_csv(data))
