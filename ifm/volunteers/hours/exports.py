"""The hours list and the report's tables as CSV (streamed) and XLSX."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse

from ifm.core import exports
from ifm.volunteers.hours.reports import HoursReport
from ifm.volunteers.models import HoursEntry

HEADER = [
    "Id",
    "Date",
    "Volunteer",
    "Email",
    "Opportunity",
    "Hours",
    "Status",
    "Source",
    "Description",
    "Rejection reason",
    "Logged by",
    "Reviewed by",
]


def _row(e: HoursEntry) -> list[Any]:
    return [
        e.pk,
        e.date,
        e.volunteer.sort_name,
        e.volunteer.email,
        e.opportunity.title if e.opportunity else "",
        e.hours,
        e.get_status_display(),
        e.get_source_display(),
        e.description,
        e.rejection_reason,
        e.logged_by.email if e.logged_by else "",
        e.reviewed_by.email if e.reviewed_by else "",
    ]


def hours_csv(
    entries: QuerySet[HoursEntry],
    *,
    filename: str,
    scope: Callable[[], AbstractContextManager[Any]],
) -> StreamingHttpResponse:
    return exports.csv_response(
        HEADER,
        lambda: (_row(e) for e in entries.iterator(chunk_size=2000)),
        filename=filename,
        scope=scope,
    )


def hours_xlsx(entries: QuerySet[HoursEntry], *, filename: str) -> HttpResponse:
    return exports.xlsx_response(
        HEADER,
        (_row(e) for e in entries.iterator(chunk_size=2000)),
        filename=filename,
        title="Volunteer hours",
        widths=(8, 12, 28, 28, 28),
    )


TABLE_TITLES = {
    "volunteers": ("Hours by volunteer", "Volunteer"),
    "opportunities": ("Hours by opportunity", "Opportunity"),
    "programs": ("Hours by program", "Program"),
    "months": ("Hours by month", "Month"),
}


def report_table(report: HoursReport, table: str) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of one of the report's tables, with its total row."""
    _, first = TABLE_TITLES[table]
    with_people = table != "volunteers"
    header = [first, "Approved hours", "Entries"]
    header += ["Volunteers"] if with_people else []
    header += [f"Value at {report.hourly_value:.2f} an hour"]
    rows: list[list[Any]] = []
    for r in report.table(table):
        rows.append(
            [r.label, r.hours, r.entries, *([r.volunteers] if with_people else []), r.value]
        )
    total = exports.Bold(
        ["Total", report.total_hours, report.entries, *([""] if with_people else [])]
    )
    total.append(report.total_value)
    rows.append(total)
    return header, rows


def report_response(report: HoursReport, table: str, fmt: str, filename: str) -> HttpResponse:
    header, rows = report_table(report, table)
    if fmt == "csv":
        response: Any = exports.csv_response(header, lambda: rows, filename=filename)
        return response
    return exports.xlsx_response(
        header, rows, filename=filename, title=TABLE_TITLES[table][0], widths=(30,)
    )
