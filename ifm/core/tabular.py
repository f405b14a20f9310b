"""One reader for the tables people upload: CSV text or an XLSX workbook's first sheet.

`read_upload(data, filename)` looks at the file once: its format (`detect_format`), for a CSV
file its text encoding (UTF-8 with or without a byte-order mark, UTF-16 with one, and only
when the caller allows it a legacy encoding such as cp1252) and its delimiter (comma,
semicolon, tab or bar: the one that splits the first lines into the same number of columns);
for a workbook its unzipped size. `iter_rows(upload)` then reads the rows as a stream, as
many times as the caller wants, holding one row at a time: each row as text cells, with its
row number as a spreadsheet shows it (the first row is 1).

Anything that cannot be read is a `TabularError` (a ServiceError on field "file", with the
line and the column when they are known) whose message says what to do, never a crash.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from defusedxml import DefusedXmlException
from openpyxl import load_workbook

from ifm.core.errors import ServiceError

CSV, XLSX = "csv", "xlsx"
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_COLUMNS = 500
XLSX_MAX_BYTES = 50 * 1024 * 1024
# A part of a workbook larger than the floor and compressed better than the ratio is a zip bomb:
# spreadsheets compress about 10 to 1.
XLSX_MAX_RATIO = 200
XLSX_RATIO_FLOOR = 5 * 1024 * 1024
SNIFF_LINES = 12
DELIMITERS = (",", ";", "\t", "|")

SAVE_AS_CSV = 'Save it as CSV UTF-8 (in Excel: Save As, "CSV UTF-8 (Comma delimited)")'
NOT_A_TABLE = "The file is not a CSV or XLSX file. Export the list as CSV UTF-8 or XLSX."
_REFUSED_NAMES = (".xls", ".xlsx", ".xlsm", ".ods", ".pdf", ".zip", ".docx")
_REFUSED_MAGIC = (b"%PDF", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"
_XML_ENTITIES = (
    "The workbook contains XML entity declarations, which are not accepted: save it again as "
    ".xlsx from Excel or LibreOffice, or as CSV UTF-8."
)
_XLSX_UNOPENABLE = (
    "The file looks like an Excel workbook but cannot be opened: save it again as "
    ".xlsx or as CSV UTF-8."
)


class TabularError(ServiceError):
    """The uploaded file cannot be read as a table; `line` and `column` (1-based) say where
    when that is known."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        super().__init__(message, field="file")
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Upload:
    """A file `read_upload` accepted, and how to read it."""

    data: bytes
    format: str
    encoding: str = "utf-8"
    delimiter: str = ","
    max_columns: int = MAX_COLUMNS


def detect_format(data: bytes, filename: str = "") -> str:
    """CSV or XLSX, from the file's first bytes (and its name for formats that are refused):
    a TabularError for anything else (legacy .xls, PDF, images, other binary data)."""
    if data.startswith(b"PK\x03\x04"):
        return XLSX
    if filename.lower().endswith(_REFUSED_NAMES) or data.startswith(_REFUSED_MAGIC):
        raise TabularError(NOT_A_TABLE)
    head = data[:4096]
    if b"\x00" in head and not head.startswith(_UTF16_BOMS):
        raise TabularError(
            "The file is not a CSV or XLSX file (it holds binary data). "
            "Export the list as CSV UTF-8 or XLSX."
        )
    return CSV


def read_upload(
    data: bytes,
    filename: str = "",
    *,
    max_bytes: int = MAX_FILE_BYTES,
    xlsx_max_bytes: int = XLSX_MAX_BYTES,
    max_columns: int = MAX_COLUMNS,
    fallback_encoding: str | None = None,
) -> Upload:
    """The file, checked and ready for `iter_rows`, or a TabularError saying what is wrong.
    A CSV file's bytes are all decoded here (so a bad byte is refused now, naming its line
    and column); text that is not UTF-8 is read as `fallback_encoding` when one is given
    (e.g. "cp1252", what Excel on Windows writes), else refused. A workbook's declared
    unzipped size is checked before it is parsed."""
    if not data:
        raise TabularError("The file is empty.")
    if len(data) > max_bytes:
        raise TabularError(f"The file is larger than {max_bytes // (1024 * 1024)} MB: split it.")
    fmt = detect_format(data, filename)
    if fmt == XLSX:
        _check_xlsx_size(data, cap=xlsx_max_bytes, csv_cap=max_bytes)
        return Upload(data=data, format=XLSX, max_columns=max_columns)
    encoding = _encoding(data, fallback_encoding)
    return Upload(
        data=data,
        format=CSV,
        encoding=encoding,
        delimiter=_delimiter(data, encoding),
        max_columns=max_columns,
    )


def iter_rows(upload: Upload, *, max_rows: int | None = None) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells as text) of every row, empty ones included; more than `max_rows`
    rows that are not empty, or a row with more than `upload.max_columns` cells that are not
    empty, is a TabularError naming the line."""
    rows = _xlsx_rows(upload.data) if upload.format == XLSX else _csv_rows(upload)
    filled = 0
    for number, cells in enumerate(rows, start=1):
        if len(cells) > upload.max_columns:
            while cells and not cells[-1]:
                cells.pop()
            if len(cells) > upload.max_columns:
                raise TabularError(
                    f"Row {number} has {len(cells)} columns, more than the "
                    f"{upload.max_columns} a file may have: remove the columns that are not "
                    "needed.",
                    line=number,
                    column=upload.max_columns + 1,
                )
        if any(cells):
            filled += 1
            if max_rows is not None and filled > max_rows:
                raise TabularError(
                    f"The file has more than {max_rows} rows: split it.", line=number
                )
        yield number, cells


def cell_text(value: Any) -> str:
    """A workbook cell as the text a person sees: dates as YYYY-MM-DD, money without float
    noise (25.1, not 25.100000000000001), nothing for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.hour == value.minute == value.second == 0:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value).strip()


# --- CSV ----------------------------------------------------------------------------------------


def _encoding(data: bytes, fallback: str | None) -> str:
    """The encoding every byte of the file decodes with, or a TabularError naming the first
    byte that does not."""
    if data.startswith(_UTF16_BOMS):
        try:
            data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise TabularError(
                f"The file is UTF-16 text but cannot be read past byte {exc.start}. {SAVE_AS_CSV}.",
            ) from exc
        return "utf-16"
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if fallback is not None:
            try:
                data.decode(fallback)
            except UnicodeDecodeError:
                pass
            else:
                return fallback
        line = data[: exc.start].count(b"\n") + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        prefix = data[line_start : exc.start]
        column = 1 + prefix.count(_delimiter(data[: exc.start], "utf-8-sig").encode())
        raise TabularError(
            f"The file is not UTF-8 text: byte 0x{data[exc.start]:02x} on line {line} "
            f"(column {column}) cannot be read. {SAVE_AS_CSV} and import it again.",
            line=line,
            column=column,
        ) from exc
    return "utf-8-sig"


def header_names(data: bytes) -> list[str]:
    """The first line's column names, read leniently (latin-1, whatever the file's encoding):
    refusals can then name a column even when the file cannot be decoded."""
    first = data.split(b"\n", 1)[0].decode("latin-1").lstrip("\ufeff\u00ef\u00bb\u00bf")
    row = next(csv.reader([first.rstrip("\r")], delimiter=_delimiter(data, "latin-1")), [])
    return [name.strip() for name in row]


def _delimiter(data: bytes, encoding: str) -> str:
    """The delimiter that splits the first lines most consistently into two columns or more
    (a comma when none does): a semicolon file whose amounts use decimal commas stays a
    semicolon file."""
    text = data[: 64 * 1024].decode(encoding, errors="ignore")
    lines = [line for line in text.splitlines() if line.strip()][:SNIFF_LINES]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        common = Counter(w for w in widths if w > 1).most_common(1)
        if not common:
            continue
        width, support = common[0]
        if (support, width) > best_score:
            best, best_score = delimiter, (support, width)
    return best


def _csv_rows(upload: Upload) -> Iterator[list[str]]:
    stream = io.TextIOWrapper(io.BytesIO(upload.data), encoding=upload.encoding, newline="")
    reader = csv.reader(stream, delimiter=upload.delimiter, strict=True)
    try:
        for row in reader:
            cells = [cell.strip() for cell in row]
            if any("\x00" in cell for cell in cells):
                column = next(i for i, cell in enumerate(cells, start=1) if "\x00" in cell)
                raise TabularError(
                    f"The file has a NUL character on line {reader.line_num} (column {column}), "
                    f"which text files do not hold. {SAVE_AS_CSV}.",
                    line=reader.line_num,
                    column=column,
                )
            yield cells
    except csv.Error as exc:
        raise TabularError(
            f"The CSV file is malformed on line {reader.line_num}: {exc}.", line=reader.line_num
        ) from exc


# --- XLSX ---------------------------------------------------------------------------------------


def _check_xlsx_size(data: bytes, *, cap: int, csv_cap: int) -> None:
    """Refuse, before parsing, a workbook that would unzip to more than the cap, or whose
    parts are compressed suspiciously well (a zip bomb). The sizes are the ones the zip
    declares, and the unzipping never reads past them."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise TabularError(_XLSX_UNOPENABLE) from exc
    total = sum(m.file_size for m in members)
    if total > cap:
        raise TabularError(
            f"The workbook unzips to {total // (1024 * 1024)} MB, more than the "
            f"{cap // (1024 * 1024)} MB an import may hold: save it as CSV UTF-8 (up to "
            f"{csv_cap // (1024 * 1024)} MB) or split it into smaller workbooks."
        )
    for member in members:
        if member.file_size > XLSX_RATIO_FLOOR and member.file_size > XLSX_MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise TabularError(
                f"The workbook's part {member.filename!r} is compressed more than "
                f"{XLSX_MAX_RATIO} to 1, which no spreadsheet does: save it again from the "
                "spreadsheet program as .xlsx or as CSV UTF-8."
            )


def _defused(exc: BaseException | None) -> bool:
    """defusedxml refused the XML (openpyxl re-raises it as a ValueError)."""
    while exc is not None:
        if isinstance(exc, DefusedXmlException):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        if _defused(exc):
            raise TabularError(_XML_ENTITIES) from exc
        raise TabularError(_XLSX_UNOPENABLE) from exc
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            return
        for values in sheet.iter_rows(values_only=True):
            yield [cell_text(v) for v in values]
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        if _defused(exc):
            raise TabularError(_XML_ENTITIES) from exc
        raise TabularError(
            "The workbook cannot be read: save it again as .xlsx or as CSV UTF-8."
        ) from exc
    finally:
        book.close()
