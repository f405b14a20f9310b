"""Tables as CSV (streamed) and XLSX, the one way every list page and API exports.

Cells a spreadsheet would run as a formula are neutralized; amounts stay numbers with two
decimals; dates and times get spreadsheet formats; the header row is bold and frozen. A row given
as `Bold([...])` (a subtotal, a total, a section heading) is bold in the workbook and an ordinary
row in the CSV. CSV rows are produced after the view has returned, so the
caller passes the tenancy scope (`scope`) that the row generator enters itself.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is prefixed with a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return neutralize(value)


class Bold(list[Any]):
    """A row drawn in bold in a workbook (a total); for everything else, the list it is."""


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    header: list[str],
    rows: Callable[[], Iterable[list[Any]]],
    *,
    filename: str,
    scope: Callable[[], AbstractContextManager[Any]] = nullcontext,
) -> StreamingHttpResponse:
    def lines() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff"  # lets spreadsheet programs read the file as UTF-8
        yield writer.writerow(header)
        with scope():
            for row in rows():
                yield writer.writerow([_csv_cell(c) for c in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def sheet_title(title: str) -> str:
    """`title` as Excel takes a sheet's name: none of \\ / ? * [ ] :, no quote at either end,
    at most 31 characters, never empty."""
    cleaned = "".join(" " if c in "\\/?*[]:" else c for c in title).strip().strip("'")
    return cleaned[:31].strip() or "Sheet"


def xlsx_response(
    header: list[str],
    rows: Iterable[list[Any]],
    *,
    filename: str,
    title: str,
    widths: Sequence[float] = (),
) -> HttpResponse:
    """`rows` under `header` in one sheet named `title`; `widths` are the first columns' widths
    (in characters), when the default is too narrow."""
    book = Workbook(write_only=True)
    sheet: Any = book.create_sheet(sheet_title(title))
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    head = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    for count, row in enumerate(rows):
        if count >= XLSX_MAX_ROWS:
            break
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=neutralize(value))
            if isinstance(row, Bold):
                cell.font = bold
            if isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
