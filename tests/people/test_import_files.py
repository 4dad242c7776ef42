"""Reading CSV and XLSX people files: rows out, or one clear sentence about what is wrong."""

import io
import zipfile

import openpyxl
import pytest

from advocacy.people.import_files import ImportFileError, read_people_file


def _xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_it_reads_a_csv_with_a_bom_and_aliased_headers():
    data = "\ufeffFull name,E-mail,Department,Role\nNina Novak,nina@example.test,Finance,HR\n".encode()
    assert read_people_file(name="people.csv", data=data) == [
        (2, {"name": "Nina Novak", "email": "nina@example.test", "team": "Finance", "roles": "HR"})
    ]


def test_it_reads_semicolon_separated_csv_and_skips_blank_lines():
    data = b"name;email\n\nNina;nina@example.test\n;\n"
    assert read_people_file(name="people.csv", data=data) == [(3, {"name": "Nina", "email": "nina@example.test"})]


def test_it_reads_an_xlsx_in_read_only_mode():
    data = _xlsx([["name", "email", "team"], ["Nina Novak", "nina@example.test", "Finance"], [None, None, None]])
    assert read_people_file(name="people.xlsx", data=data) == [
        (2, {"name": "Nina Novak", "email": "nina@example.test", "team": "Finance"})
    ]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("people.csv", b"", "empty"),
        ("people.csv", "name,email\nZoë,zoe@example.test\n".encode("latin-1"), "not UTF-8"),
        ("people.csv", b"name,email\x00\n", "binary data"),
        ("people.csv", b"name,mail\nNina,nina@example.test\n", "we do not know: mail"),
        ("people.csv", b"name,team\nNina,Finance\n", "email is missing"),
        ("people.csv", b"name,email,email\nNina,a@b.test,c@d.test\n", "more than once"),
        ("people.csv", b"name,email\n", "nobody in it"),
        ("people.csv", b'name,email\n"Nina,nina@example.test\n', "cannot be read"),
        ("people.xlsx", b"name,email\nNina,nina@example.test\n", "not an XLSX workbook"),
        ("people.xlsx", b"PK\x03\x04 not really a zip", "damaged"),
        ("people.xls", b"\xd0\xcf\x11\xe0 old excel", "Only CSV and XLSX"),
    ],
)
def test_a_bad_file_gets_a_sentence_saying_what_is_wrong(name, data, message, settings):
    with pytest.raises(ImportFileError, match=message):
        read_people_file(name=name, data=data)


def test_a_file_over_the_size_limit_is_refused_before_reading(settings):
    settings.PEOPLE_IMPORT_MAX_MB = 1
    with pytest.raises(ImportFileError, match="larger than 1 MB"):
        read_people_file(name="people.csv", data=b"name,email\n" + b"x" * (1024 * 1024))


def test_a_file_with_more_rows_than_allowed_is_refused(settings):
    settings.PEOPLE_IMPORT_MAX_ROWS = 3
    data = "name,email\n" + "".join(f"P{n},p{n}@example.test\n" for n in range(4))
    with pytest.raises(ImportFileError, match="more than 3 people"):
        read_people_file(name="people.csv", data=data.encode())
    assert len(read_people_file(name="people.csv", data=data.encode()[: data.index("P3")])) == 3


def test_an_xlsx_that_unpacks_to_far_more_than_a_people_list_is_refused(settings):
    settings.PEOPLE_IMPORT_MAX_MB = 1
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (21 * 1024 * 1024))  # compresses to ~20 KB
    with pytest.raises(ImportFileError, match="unpacks to far more"):
        read_people_file(name="people.xlsx", data=buffer.getvalue())


def test_a_zip_that_is_not_a_workbook_is_refused_with_a_sentence():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ImportFileError, match="cannot be opened"):
        read_people_file(name="people.xlsx", data=buffer.getvalue())
