"""Reading a spreadsheet: CSV (UTF-8 with or without BOM, comma, semicolon or tab separated, as
Excel writes it; also Excel's UTF-16 "Unicode Text") or XLSX bytes into a header and rows of NFC,
trimmed strings, each row carrying the number the spreadsheet shows for it.

The header is the first row that names known columns (in any of the four languages), so a title row
above it is skipped. Files over the limits of `columns` and malformed ones raise `ImportFileError`
with a message in the staff member's language, never an exception from the parser: an XLSX archive's
unpacked sizes are checked before any XML is read, and openpyxl parses through defusedxml (no
entity declarations, so no "billion laughs" and no external entities).
"""

import csv
import datetime as dt
import io
import time
import zipfile

import openpyxl
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from pilots.teachers import normalise_text

from .columns import (
    MAX_BLANK_RUN,
    MAX_BYTES,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_RATIO,
    MAX_READ_SECONDS,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    header_column,
)

# Rows above the header that may hold a title, a date or notes.
HEADER_SEARCH_ROWS = 10


class ImportFileError(ValidationError):
    """The file cannot be read at all (too big, not CSV/XLSX, bad encoding, no header)."""


class SheetRow(list):
    """The cells of one row, with `number`: the row number the spreadsheet shows (1 = first)."""

    __slots__ = ("number",)

    def __init__(self, cells, number):
        super().__init__(cells)
        self.number = number


class Header(list):
    """Column names read from the header row; `number` is that row's number and `cells` what it
    contained, to say which row was read when no column is recognised."""

    __slots__ = ("number", "cells")

    def __init__(self, names, number, cells):
        super().__init__(names)
        self.number, self.cells = number, cells


def clean_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # The registration form's normalisation: NFC, meaningless format characters removed, trimmed.
    return normalise_text(str(value))


def column_letter(index: int) -> str:
    """Excel's letter for a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _header_name(cell: str) -> str:
    return header_column(cell) or cell.lower().replace(" ", "_").replace("-", "_")


def read_table(data: bytes, filename: str = "") -> tuple[Header, list[SheetRow]]:
    """Header (column names) and rows (NFC, trimmed strings, with their sheet row numbers)."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(mb)s MB. Split it into smaller files.") % {"mb": MAX_BYTES // 2**20},
            code="too_big",
        )
    if not data.strip():
        raise ImportFileError(_("The file is empty."), code="empty")
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        numbered = _read_xlsx(data)
    else:
        numbered = _read_csv(data)
    rows = _non_blank_rows(numbered)
    if not rows:
        raise ImportFileError(_("The file is empty."), code="empty")
    header_at = next(
        (i for i, row in enumerate(rows[:HEADER_SEARCH_ROWS])
         if sum(1 for cell in row if header_column(cell)) >= 2),
        0,
    )
    header_row = rows[header_at]
    header = Header([_header_name(cell) for cell in header_row], header_row.number,
                    [cell for cell in header_row if cell])
    body = rows[header_at + 1:]
    if len(body) > MAX_ROWS:
        raise ImportFileError(
            _("The file has %(count)s rows; at most %(max)s can be imported at once. Split it.")
            % {"count": len(body), "max": MAX_ROWS},
            code="too_many_rows",
        )
    width = len(header)
    return header, [SheetRow((row + [""] * width)[:width], row.number) for row in body]


def _non_blank_rows(numbered) -> list[SheetRow]:
    """The rows with any content, with their numbers, checked against the limits; the data ends
    after MAX_BLANK_RUN blank rows in a row."""
    rows, blank_run = [], 0
    for number, cells in numbered:
        if not any(cells):
            blank_run += 1
            if blank_run >= MAX_BLANK_RUN:
                break
            continue
        blank_run = 0
        for index, cell in enumerate(cells):
            if not cell:
                continue
            if index >= MAX_COLUMNS:
                raise ImportFileError(
                    _("Row %(row)s has a value in column %(column)s; at most %(max)s columns are "
                      "read. Remove the extra columns.")
                    % {"row": number, "column": column_letter(index), "max": MAX_COLUMNS},
                    code="too_many_columns",
                )
            if len(cell) > MAX_CELL_CHARS:
                raise ImportFileError(
                    _("Cell %(cell)s holds more than %(max)s characters. Shorten it.")
                    % {"cell": f"{column_letter(index)}{number}", "max": MAX_CELL_CHARS},
                    code="cell_too_long",
                )
        rows.append(SheetRow(cells, number))
        # The header and the title rows above it count too.
        if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
            raise ImportFileError(
                _("The file has more than %(max)s rows. Split it.") % {"max": MAX_ROWS},
                code="too_many_rows",
            )
    return rows


def _read_csv(data: bytes):
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
        # Excel numbers records, not physical lines: a cell with a line break stays one row.
        return [(number, [clean_cell(cell) for cell in row]) for number, row in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)]
    except csv.Error as exc:
        raise ImportFileError(
            _("The CSV file is malformed (%(error)s).") % {"error": exc}, code="malformed"
        ) from exc


def _unreadable_workbook():
    return ImportFileError(_("The file is not a readable Excel workbook (.xlsx). Open it in Excel "
                             "and save it again, or save it as CSV UTF-8."), code="malformed")


def check_archive(data: bytes) -> None:
    """Refuse an XLSX archive that is not a zip or that unpacks to more than the limits, from its
    directory alone (nothing is decompressed). zipfile stops reading a member at its declared
    size and checks its CRC, so a member cannot unpack to more than the directory says."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise _unreadable_workbook() from exc
    unpacked = sum(member.file_size for member in members)
    inflated = [member for member in members
                if member.file_size > 2**20 and member.file_size > MAX_RATIO * max(member.compress_size, 1)]
    if unpacked > MAX_UNPACKED_BYTES or inflated or len(members) > 1000:
        raise ImportFileError(
            _("This workbook unpacks to %(size)s MB, more than a spreadsheet of %(rows)s rows "
              "needs (at most %(max)s MB). Copy the rows you want into a new workbook, or save it "
              "as CSV UTF-8.")
            % {"size": max(unpacked // 2**20, 1), "rows": f"{MAX_ROWS:,}",
               "max": MAX_UNPACKED_BYTES // 2**20},
            code="unpacks_too_big",
        )


def _read_xlsx(data: bytes):
    check_archive(data)
    # openpyxl raises whatever its parser meets in a malformed file (KeyError for a missing part,
    # ParseError, defusedxml's EntitiesForbidden, TypeError or ValueError for odd values): every
    # one of them means the file cannot be read.
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001
        raise _unreadable_workbook() from exc
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The workbook has no sheet."), code="malformed")
        sheet = workbook.worksheets[0]
        rows, blank_run, kept = [], 0, 0
        deadline = time.monotonic() + MAX_READ_SECONDS
        # max_col: a cell far to the right would otherwise pad every row to that width; one column
        # more than the limit is read so that data there is refused, not dropped unseen.
        for number, row in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1),
                                     start=1):
            cells = [clean_cell(cell) for cell in row]
            while cells and not cells[-1]:
                cells.pop()
            blank_run = 0 if any(cells) else blank_run + 1
            if blank_run >= MAX_BLANK_RUN:
                break
            kept += bool(any(cells))
            rows.append((number, cells))
            if time.monotonic() > deadline:
                raise ImportFileError(
                    _("This workbook takes too long to read (more than %(seconds)s seconds). Save it as "
                      "CSV UTF-8, which reads at once, or split it.") % {"seconds": MAX_READ_SECONDS},
                    code="too_slow",
                )
            if kept > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise ImportFileError(
                    _("The file has more than %(max)s rows. Split it.") % {"max": MAX_ROWS},
                    code="too_many_rows",
                )
        return rows
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise _unreadable_workbook() from exc
    finally:
        workbook.close()
