"""The audit log as CSV (streamed) and XLSX, with the filters of the page."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from ifm.audit.models import AuditEvent
from ifm.audit.selectors import changes_text
from ifm.core import exports


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
    return cells


def csv_response(
    events: QuerySet[AuditEvent],
    *,
    filename: str,
    with_organization: bool,
    scope: Callable[[], AbstractContextManager[Any]],
) -> StreamingHttpResponse:
    return exports.csv_response(
        _header(with_organization),
        lambda: (_row(e, with_organization) for e in events.iterator(chunk_size=2000)),
        filename=filename,
        scope=scope,
    )


def xlsx_response(
    events: Iterable[AuditEvent], *, filename: str, with_organization: bool
) -> HttpResponse:
    return exports.xlsx_response(
        _header(with_organization),
        (_row(e, with_organization) for e in events),
        filename=filename,
        title="Audit log",
    )
