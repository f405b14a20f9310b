"""Expense lists as CSV (streamed) and XLSX, with the filters of the page."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from ifm.core import exports
from ifm.expenses.models import Expense

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
    "Check number",
]


def _category(e: Expense) -> str:
    """Finance's plain name; for "Other", the account chosen from the chart."""
    if e.expense_category is not None:
        return e.expense_category.name
    return f"Other: {e.category.number} {e.category.name}" if e.category else ""


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
        _category(e),
        e.fund.code if e.fund else "",
        e.program.code if e.program else "",
        e.get_function_display(),
        e.get_status_display(),
        e.submitted_by.email,
        submitted_at,
        e.paid_on,
        e.check_number,
    ]
    return cells


def csv_response(
    expenses: QuerySet[Expense], *, filename: str, scope: Callable[[], AbstractContextManager[Any]]
) -> StreamingHttpResponse:
    return exports.csv_response(
        HEADER,
        lambda: (_row(e) for e in expenses.iterator(chunk_size=2000)),
        filename=filename,
        scope=scope,
    )


def xlsx_response(expenses: QuerySet[Expense], *, filename: str) -> HttpResponse:
    return exports.xlsx_response(
        HEADER,
        (_row(e) for e in expenses.iterator(chunk_size=2000)),
        filename=filename,
        title="Expenses",
    )
