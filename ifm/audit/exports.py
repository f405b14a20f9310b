"""The audit log as CSV (streamed) and XLSX, with the filters of the page."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from ifm.audit.models import AuditEvent
from ifm.audit.selectors import changes_text

XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _header(with_organization: bool) -> list[str]:
    when = f"When ({timezone.get_current_timezone_name()})"
    head = [when, "Organization"] if with_organization else [when]
    return [
        *head,
        "Who",
        "Action",
        "Object type",
        "Object id",
        "Object",
        "Changes",
        "IP",
        "Request id",
    ]


def _row(event: AuditEvent, with_organization: bool) -> list[Any]:
    when = timezone.localtime(event.created_at).replace(tzinfo=None, microsecond=0)
    head: list[Any] = [when]
    if with_organization:
        head.append(event.organization.name if event.organization else "")
    cells = [
        *head,
        event.actor_label or (event.actor.email if event.actor else "") or "system",
        event.action,
        event.object_type,
        event.object_id,
        event.object_repr,
        changes_text(event.changes),
        event.ip_address or "",
        event.request_id,
    ]
    return [_neutralize(c) for c in cells]


def _neutralize(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is prefixed with a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    events: QuerySet[AuditEvent],
    *,
    filename: str,
    with_organization: bool,
    scope: Callable[[], AbstractContextManager[Any]],
) -> StreamingHttpResponse:
    """Stream rows as they are read. The rows are produced after the view returns, so the
    generator enters the tenancy scope (`scope`) itself."""

    def rows() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff"  # lets spreadsheet programs read the file as UTF-8
        yield writer.writerow(_header(with_organization))
        with scope():
            for event in events.iterator(chunk_size=2000):
                row = _row(event, with_organization)
                row[0] = row[0].isoformat(sep=" ")
                yield writer.writerow(row)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(
    events: Iterable[AuditEvent], *, filename: str, with_organization: bool
) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet: Any = book.create_sheet("Audit log")
    sheet.freeze_panes = "A2"
    header = []
    for title in _header(with_organization):
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for count, event in enumerate(events):
        if count >= XLSX_MAX_ROWS:
            break
        cells = [WriteOnlyCell(sheet, value=v) for v in _row(event, with_organization)]
        cells[0].number_format = "yyyy-mm-dd hh:mm:ss"
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
