"""/api/v1/audit-log: the organization's audit log in sentences, with the page's filters, and
its CSV or Excel export (the same reads and the same files as the page)."""

from __future__ import annotations

import datetime as dt
from functools import partial
from html import unescape
from typing import Annotated, Any, Literal

from django.http import HttpResponseBase
from django.utils import timezone
from django.utils.html import strip_tags
from ninja import Field, Query, Router, Schema

from ifm.audit import exports
from ifm.audit.readable import describe_events
from ifm.audit.selectors import audit_event_list
from ifm.core.api import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, ApiError, KeysetPagination
from ifm.core.org_context import org_context
from ifm.tenancy.http import TenantRequest
from ifm.tenancy.permissions import require_perm

router = Router(tags=["audit"])


class AuditFilters(Schema):
    q: str | None = Field(None, max_length=200, description="Text, record or request id.")
    action: str | None = Field(None, max_length=64, description="An action code, exactly.")
    actor_email: str | None = Field(None, max_length=254, description="Part of an email.")
    object_type: str | None = Field(None, max_length=100, description='e.g. "expenses.expense"')
    object_id: str | None = Field(None, max_length=64)
    date_from: dt.date | None = Field(None, description="From this day (organization's time).")
    date_to: dt.date | None = Field(None, description="To this day, included.")


class AuditActorOut(Schema):
    id: int | None
    name: str
    email: str


class AuditEventOut(Schema):
    id: int
    created_at: dt.datetime
    actor: AuditActorOut
    action: str
    sentence: str = Field(..., description="What happened, with names, as the page shows it.")
    object_type: str
    object_id: str
    object: str = Field(..., description="The record's name when the event was recorded.")
    url: str | None = Field(..., description="The record's page, when it has one.")
    changes: dict[str, Any]
    ip_address: str | None
    request_id: str


class AuditLogOut(Schema):
    items: list[AuditEventOut]
    next: str | None


def _events(request: TenantRequest, filters: AuditFilters) -> Any:
    require_perm(request.access, "audit.view")
    data = filters.model_dump(exclude_none=True)
    if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
        raise ApiError(
            422,
            "The end date must be on or after the start date.",
            errors=[{"field": "date_to", "message": "Before date_from."}],
        )
    data = {key: value for key, value in data.items() if value not in ("", None)}
    return audit_event_list(organization=request.org, **data)


@router.get("", response=AuditLogOut, summary="The audit log, newest first")
def audit_log(
    request: TenantRequest,
    filters: Query[AuditFilters],
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> Any:
    events = _events(request, filters)
    pager = KeysetPagination(ordering=("-created_at",))
    page = pager.paginate_queryset(
        events, KeysetPagination.Input(limit=limit, cursor=cursor), request
    )
    rows = describe_events(page["items"], organization=request.org)
    return {
        "items": [
            {
                "id": row.event.pk,
                "created_at": row.event.created_at,
                "actor": {
                    "id": row.event.actor_id,
                    "name": row.actor,
                    "email": row.event.actor.email if row.event.actor else row.event.actor_label,
                },
                "action": row.event.action,
                "sentence": unescape(strip_tags(row.sentence)),
                "object_type": row.event.object_type,
                "object_id": row.event.object_id,
                "object": row.event.object_repr,
                "url": row.url or None,
                "changes": row.event.changes if isinstance(row.event.changes, dict) else {},
                "ip_address": row.event.ip_address,
                "request_id": row.event.request_id,
            }
            for row in rows
        ],
        "next": page["next"],
    }


@router.get(
    "/export",
    summary="The audit log as CSV or Excel, with the same filters",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "The file.",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                },
            }
        }
    },
)
def audit_log_export(
    request: TenantRequest,
    filters: Query[AuditFilters],
    format: Annotated[Literal["csv", "xlsx"], Query(description="csv or xlsx")] = "csv",
) -> HttpResponseBase:
    events = _events(request, filters)
    org = request.org
    filename = f"audit-{org.slug}-{timezone.localdate():%Y-%m-%d}"
    if format == "csv":
        return exports.csv_response(
            events, filename=filename, with_organization=False, scope=partial(org_context, org)
        )
    return exports.xlsx_response(events, filename=filename, with_organization=False)
