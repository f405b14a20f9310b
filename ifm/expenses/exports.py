"""Expense lists as CSV (streamed) and XLSX, with the filters of the page."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from ifm.expenses.models import Expense

XLSX_MAX_ROWS = 1_048_575
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

HEADER = [
    "Reference",
    "Date",
    "Kind",
    "Payee",
    "Description",
    "Amount",
    "Category",
    "Fund",
    "Program",
    "Function",
    "Status",
    "Submitted by",
    "Submitted at",
    "Paid on",
]


def _neutralize(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is prefixed with a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _row(e: Expense) -> list[Any]:
    submitted_at = (
        timezone.localtime(e.submitted_at).replace(tzinfo=None, microsecond=0)
        if e.submitted_at
        else None
    )
    cells = [
        e.reference,
        e.date,
        e.get_kind_display(),
        e.payee,
        e.description,
        e.amount,
        f"{e.category.number} {e.category.name}" if e.category else "",
        e.fund.code if e.fund else "",
        e.program.code if e.program else "",
        e.get_function_display(),
        e.get_status_display(),
        e.submitted_by.email,
        submitted_at,
        e.paid_on,
    ]
    return [_neutralize(c) for c in cells]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    expenses: QuerySet[Expense], *, filename: str, scope: Callable[[], AbstractContextManager[Any]]
) -> StreamingHttpResponse:
    """Rows are read after the view returns, so the generator enters the tenant scope itself."""

    def rows() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff"
        yield writer.writerow(HEADER)
        with scope():
            for expense in expenses.iterator(chunk_size=2000):
                cells = ["" if c is None else c for c in _row(expense)]
                yield writer.writerow(cells)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(expenses: QuerySet[Expense], *, filename: str) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet: Any = book.create_sheet("Expenses")
    sheet.freeze_panes = "A2"
    header = []
    for title in HEADER:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for count, expense in enumerate(expenses.iterator(chunk_size=2000)):
        if count >= XLSX_MAX_ROWS:
            break
        cells = [WriteOnlyCell(sheet, value=v) for v in _row(expense)]
        cells[1].number_format = "yyyy-mm-dd"
        cells[5].number_format = "#,##0.00"
        cells[12].number_format = "yyyy-mm-dd hh:mm"
        cells[13].number_format = "yyyy-mm-dd"
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
