"""Tables as CSV (streamed) and XLSX, the one way every list page and API exports.

Cells a spreadsheet would run as a formula are neutralized; amounts keep two decimals; dates
and times get spreadsheet formats. CSV rows are produced after the view has returned, so the
caller passes the tenancy scope (`scope`) that the row generator enters itself.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

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


def xlsx_response(
    header: list[str], rows: Iterable[list[Any]], *, filename: str, title: str
) -> HttpResponse:
    book = Workbook(write_only=True)
    sheet: Any = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    head = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        head.append(cell)
    sheet.append(head)
    for count, row in enumerate(rows):
        if count >= XLSX_MAX_ROWS:
            break
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=neutralize(value))
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
