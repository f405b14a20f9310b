"""Reads of the audit log. Events are not tenant rows, so every read names its organization."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from ifm.audit.models import AuditEvent
from ifm.tenancy.models import Organization


def audit_event_list(
    *,
    organization: Organization | None = None,
    action: str | None = None,
    actor_email: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    q: str | None = None,
    without_organization: bool = False,
) -> QuerySet[AuditEvent]:
    """Events newest first. `organization=None` means every organization: platform staff only,
    and the caller evaluates the queryset inside `org_context.all_organizations()`.

    Dates are whole days in the active time zone, both ends included.
    """
    qs = AuditEvent.objects.select_related("actor", "organization").order_by("-created_at", "-id")
    if organization is not None:
        qs = qs.filter(organization=organization)
    elif without_organization:
        qs = qs.filter(organization__isnull=True)
    if action:
        qs = qs.filter(action=action)
    if actor_email:
        qs = qs.filter(
            Q(actor_label__icontains=actor_email.strip())
            | Q(actor__email__icontains=actor_email.strip())
        )
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=str(object_id).strip())
    # Bounds on created_at itself rather than a __date lookup, so the index is used.
    if date_from:
        qs = qs.filter(created_at__gte=_start_of(date_from))
    if date_to:
        qs = qs.filter(created_at__lt=_start_of(date_to + dt.timedelta(days=1)))
    if q:
        term = q.strip()
        qs = qs.filter(
            Q(action__icontains=term)
            | Q(actor_label__icontains=term)
            | Q(object_type__icontains=term)
            | Q(object_id=term)
            | Q(object_repr__icontains=term)
            | Q(changes__icontains=term)
            | Q(request_id=term)
        )
    return qs


def audit_action_choices(*, organization: Organization | None = None) -> list[str]:
    """The distinct actions recorded (for the filter's list), alphabetically."""
    return _distinct(organization, "action")


def audit_object_type_choices(*, organization: Organization | None = None) -> list[str]:
    return [t for t in _distinct(organization, "object_type") if t]


def change_rows(changes: Any) -> list[dict[str, Any]]:
    """An event's changes as rows {field, before, after, has_before} for people to read.

    Services write {"field": {"before": x, "after": y}}; anything else is shown as a value.
    """
    if not isinstance(changes, dict):
        return (
            [{"field": "", "before": None, "after": changes, "has_before": False}]
            if changes
            else []
        )
    rows = []
    for field, value in changes.items():
        if isinstance(value, dict) and set(value) <= {"before", "after"} and value:
            rows.append(
                {
                    "field": field,
                    "before": value.get("before"),
                    "after": value.get("after"),
                    "has_before": "before" in value,
                }
            )
        else:
            rows.append({"field": field, "before": None, "after": value, "has_before": False})
    return rows


def changes_text(changes: Any) -> str:
    """One line per change, `field: before → after`, for exports."""
    lines = []
    for row in change_rows(changes):
        after = _show(row["after"])
        text = f"{_show(row['before'])} → {after}" if row["has_before"] else after
        lines.append(f"{row['field']}: {text}" if row["field"] else text)
    return "\n".join(lines)


def _show(value: Any) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _distinct(organization: Organization | None, field: str) -> list[str]:
    qs = AuditEvent.objects.all()
    if organization is not None:
        qs = qs.filter(organization=organization)
    return list(qs.order_by(field).values_list(field, flat=True).distinct())
