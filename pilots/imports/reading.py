"""Reading a spreadsheet: CSV (UTF-8 with or without BOM, comma, semicolon or tab separated, as
Excel writes it; also Excel's UTF-16 "Unicode Text") or XLSX bytes into a header and rows of NFC,
trimmed strings. Files over MAX_BYTES or MAX_ROWS and malformed ones raise `ImportFileError`."""

import csv
import datetime as dt
import io
import unicodedata
import zipfile

import openpyxl
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .columns import MAX_BYTES, MAX_ROWS


class ImportFileError(ValidationError):
    """The file cannot be read at all (too big, not CSV/XLSX, bad encoding, no header)."""




def clean_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def _header_name(value) -> str:
    return clean_cell(value).lower().replace(" ", "_").replace("-", "_")


def read_table(data: bytes, filename: str = "") -> tuple[list[str], list[list[str]]]:
    """Header (normalised names) and rows (NFC, trimmed strings) of a CSV or XLSX file."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(mb)s MB. Split it into smaller files.") % {"mb": MAX_BYTES // 2**20},
            code="too_big",
        )
    if not data.strip():
        raise ImportFileError(_("The file is empty."), code="empty")
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        rows = _read_xlsx(data)
    else:
        rows = _read_csv(data)
    rows = [row for row in rows if any(cell for cell in row)]
    if not rows:
        raise ImportFileError(_("The file is empty."), code="empty")
    header = [_header_name(cell) for cell in rows[0]]
    if len(rows) - 1 > MAX_ROWS:
        raise ImportFileError(
            _("The file has %(count)s rows; at most %(max)s can be imported at once. Split it.")
            % {"count": len(rows) - 1, "max": MAX_ROWS},
            code="too_many_rows",
        )
    width = len(header)
    body = [(row + [""] * width)[:width] for row in rows[1:]]
    return header, body


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            text = data.decode("utf-16")  # Excel's "Unicode Text": UTF-16, tab-separated
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("The file is not UTF-8 text. In Excel, save it as \"CSV UTF-8\" or as an Excel "
              "workbook (.xlsx)."),
            code="encoding",
        ) from exc
    if "\x00" in text:
        raise ImportFileError(_("This is not a CSV or XLSX file."), code="malformed")
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    try:
        return [[clean_cell(cell) for cell in row] for row in csv.reader(io.StringIO(text, newline=""),
                                                                       delimiter=delimiter)]
    except csv.Error as exc:
        raise ImportFileError(
            _("The CSV file is malformed (%(error)s).") % {"error": exc}, code="malformed"
        ) from exc


def _read_xlsx(data: bytes) -> list[list[str]]:

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ImportFileError(
            _("The file is not a readable Excel workbook (.xlsx)."), code="malformed"
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([clean_cell(cell) for cell in row])
            if len(rows) > MAX_ROWS + 1:
                raise ImportFileError(
                    _("The file has more than %(max)s rows. Split it.") % {"max": MAX_ROWS},
                    code="too_many_rows",
                )
        return rows
    except IndexError as exc:
        raise ImportFileError(_("The workbook has no sheet."), code="malformed") from exc
    finally:
        workbook.close()
