"""Malformed and hostile spreadsheets get a clear message in the staff member's language, fast,
and never reach a parser that could be made to hang, expand entities or read local files."""

import io
import time
import zipfile
import zlib

import openpyxl
import openpyxl.xml
import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from pilots.imports import reading
from pilots.imports.reading import ImportFileError, read_table
from tests.staffing.support import text

pytestmark = pytest.mark.django_db


def workbook_bytes(rows=(("cohort", "email"), ("kh-1", "a@example.org"))):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def with_member(data: bytes, name: str, content: bytes) -> bytes:
    """A copy of the XLSX archive `data` with member `name` replaced (or added)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info))
        target.writestr(name, content)
    return out.getvalue()


def with_shared_strings(xml: str) -> bytes:
    data = workbook_bytes()
    # A sheet that refers to shared string 0, so that the strings part is read.
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
             '<c r="B1" t="s"><v>0</v></c></row></sheetData></worksheet>')
    data = with_member(data, "xl/worksheets/sheet1.xml", sheet.encode())
    data = with_member(data, "xl/sharedStrings.xml", xml.encode())
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml").decode()
    if "sharedStrings" not in types:
        types = types.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType='
                              '"application/vnd.openxmlformats-officedocument.spreadsheetml.'
                              'sharedStrings+xml"/></Types>')
        data = with_member(data, "[Content_Types].xml", types.encode())
    rels = zipfile.ZipFile(io.BytesIO(data)).read("xl/_rels/workbook.xml.rels").decode()
    if "sharedStrings" not in rels:
        rels = rels.replace("</Relationships>", '<Relationship Id="rIdS" Type="http://schemas.openxml'
                            'formats.org/officeDocument/2006/relationships/sharedStrings" '
                            'Target="sharedStrings.xml"/></Relationships>')
        data = with_member(data, "xl/_rels/workbook.xml.rels", rels.encode())
    return data


def zip_bomb(unpacked_mb: int) -> bytes:
    """A real workbook whose sheet XML unpacks to `unpacked_mb` MB of blank space inside a row: what
    a 3.66 MB file that unpacks to 1.19 GB looked like. Built with a raw deflate stream, so the test
    writes megabytes, not gigabytes."""
    data = workbook_bytes()
    head = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>')
    tail = b"</t></is></c></row></sheetData></worksheet>"
    chunk = b" " * 2**20
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    crc, parts = zlib.crc32(head), [compressor.compress(head)]
    for _ in range(unpacked_mb):
        parts.append(compressor.compress(chunk))
        crc = zlib.crc32(chunk, crc)
    parts += [compressor.compress(tail), compressor.flush()]
    crc = zlib.crc32(tail, crc)
    compressed = b"".join(parts)
    size = len(head) + unpacked_mb * 2**20 + len(tail)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, source.read(info))
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        info.file_size, info.compress_size, info.CRC = size, len(compressed), crc
        # Write the precompressed member by hand: local header, then the data.
        target.fp.write(info.FileHeader(zip64=size > 0xFFFFFFFF))
        info.header_offset = target.start_dir
        target.fp.write(compressed)
        target.start_dir = target.fp.tell()
        target.filelist.append(info)
        target.NameToInfo[info.filename] = info
    return out.getvalue()


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    + ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    'uniqueCount="1"><si><t>&j;</t></si></sst>'
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    'uniqueCount="1"><si><t>&secret;</t></si></sst>'
)


def upload(client, data, name="upload.xlsx", language="en"):
    client.cookies["django_language"] = language
    started = time.perf_counter()
    response = client.post(reverse("imports:upload"), {
        "kind": "teachers", "file": _named(data, name)})
    return response, time.perf_counter() - started


def _named(data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


def test_a_zip_bomb_is_refused_from_the_archive_directory_in_under_a_second(staff_client):
    bomb = zip_bomb(1220)  # 1.19 GB of sheet XML in a file of about 1.2 MB
    assert len(bomb) < 5 * 2**20
    response, seconds = upload(staff_client, bomb)
    assert response.status_code == 200
    assert "unpacks to 1220 MB" in text(response)
    assert seconds < 1


@pytest.mark.parametrize(("name", "build", "words"), [
    ("not a zip", lambda: b"PK\x03\x04" + b"\x00garbage" * 50, "not a readable Excel workbook"),
    ("truncated", lambda: workbook_bytes()[:-200], "not a readable Excel workbook"),
    ("xml bomb", lambda: with_shared_strings(BILLION_LAUGHS), "not a readable Excel workbook"),
    ("external entity", lambda: with_shared_strings(EXTERNAL_ENTITY), "not a readable Excel workbook"),
    ("malformed xml", lambda: with_member(workbook_bytes(), "xl/worksheets/sheet1.xml",
                                          b"<worksheet><sheetData><row>"), "not a readable Excel workbook"),
    ("no workbook part", lambda: with_member(workbook_bytes(), "xl/workbook.xml", b""),
     "not a readable Excel workbook"),
])
def test_malformed_workbooks_get_a_message_within_seconds(staff_client, name, build, words):
    response, seconds = upload(staff_client, build())
    assert response.status_code == 200
    page = text(response)
    assert words in page
    assert "root:" not in page  # /etc/passwd was never read into a cell
    assert seconds < 5


def test_the_message_is_in_the_staff_members_language(staff_client):
    response, _seconds = upload(staff_client, with_shared_strings(EXTERNAL_ENTITY), language="th")
    assert "Excel" in text(response) and "not a readable" not in text(response)
    response, _seconds = upload(staff_client, zip_bomb(50), language="vi")
    assert "50 MB" in text(response) and "unpacks to" not in text(response)


def test_a_value_beyond_the_column_limit_is_refused_with_its_cell():
    workbook = openpyxl.Workbook()
    workbook.active.append(["cohort", "email"])
    workbook.active.cell(row=2, column=61, value="x")
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(ImportFileError) as caught:
        read_table(out.getvalue(), "wide.xlsx")
    assert caught.value.code == "too_many_columns"
    assert "column BI" in caught.value.messages[0] and "Row 2" in caught.value.messages[0]


def test_a_cell_over_the_length_limit_is_refused_with_its_address():
    data = workbook_bytes([("cohort", "email"), ("kh-1", "x" * 5000)])
    with pytest.raises(ImportFileError) as caught:
        read_table(data, "long.xlsx")
    assert caught.value.code == "cell_too_long" and "B2" in caught.value.messages[0]


def test_a_sheet_with_more_rows_than_allowed_stops_reading_early(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 50)
    data = workbook_bytes([("cohort", "email")] + [("kh-1", f"t{i}@example.org") for i in range(5000)])
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as caught:
        read_table(data, "many.xlsx")
    assert caught.value.code == "too_many_rows"
    assert time.perf_counter() - started < 1


def test_formatted_empty_rows_down_to_the_last_row_end_the_data():
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             'spreadsheetml/2006/main"><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>cohort</t></is></c>'
             '<c r="B1" t="inlineStr"><is><t>email</t></is></c></row>'
             '<row r="2"><c r="A2" t="inlineStr"><is><t>kh-1</t></is></c></row>'
             '<row r="1048576"><c r="A1048576" s="0"/></row></sheetData></worksheet>')
    data = with_member(workbook_bytes(), "xl/worksheets/sheet1.xml", sheet.encode())
    started = time.perf_counter()
    header, rows = read_table(data, "formatted.xlsx")
    assert header == ["cohort", "email"] and [row.number for row in rows] == [2]
    assert time.perf_counter() - started < 5


# --- fuzzing the preview page -----------------------------------------------------------------

_cell = st.one_of(st.none(), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
                  st.text(max_size=20).map(lambda s: "".join(c for c in s if c.isprintable())),
                  st.sampled_from(["cohort", "email", "province", "kh-1", "Battambang", "8:00"]))


def _xlsx_of(rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _mangled(data, position, byte):
    position %= len(data)
    return data[:position] + bytes([byte]) + data[position + 1:]


@hypothesis_settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["teachers", "attendance", "scores"]),
    name=st.sampled_from(["upload.csv", "upload.xlsx", "upload.txt"]),
    data=st.one_of(
        st.binary(max_size=400),
        st.lists(st.lists(_cell, max_size=6), max_size=6).map(_xlsx_of),
        st.tuples(st.lists(st.lists(_cell, max_size=4), min_size=1, max_size=3).map(_xlsx_of),
                  st.integers(0, 10**6), st.integers(0, 255)).map(lambda t: _mangled(*t)),
        st.text(max_size=300).map(lambda s: s.encode("utf-8")),
    ),
)
def test_any_csv_or_xlsx_bytes_into_the_preview_never_give_a_500(staff_client, kind, name, data):
    response = staff_client.post(reverse("imports:upload"), {"kind": kind, "file": _named(data, name)})
    assert response.status_code == 200


def test_a_workbook_slow_to_read_is_refused_at_the_deadline(monkeypatch):
    monkeypatch.setattr(reading, "MAX_READ_SECONDS", 0)
    data = workbook_bytes([("cohort", "email")] + [("kh-1", f"t{i}@example.org") for i in range(50)])
    with pytest.raises(ImportFileError) as caught:
        read_table(data, "slow.xlsx")
    assert caught.value.code == "too_slow" and "CSV UTF-8" in caught.value.messages[0]
