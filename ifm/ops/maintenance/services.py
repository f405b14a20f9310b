"""Writes of maintenance mode: the platform page, the API and `ifm maintenance` call these.

Only IFM platform staff change it from the web; the command line acts as the system (its
operator already holds the server). Each change is audited and takes effect in this process
at once and in every other within `state.CACHE_SECONDS`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.ops.maintenance import state
from ifm.ops.models import MaintenanceMode
from ifm.ops.services import require_platform_staff

RETRY_AFTER_MAX = 24 * 3600
ANNOUNCE_HOURS_MAX = 24 * 14
MESSAGE_MAX = 500


def _authorize(actor: Any) -> Any:
    """None is the command line; anyone else must be platform staff."""
    if actor is not None:
        require_platform_staff(actor)
    return actor


def _row() -> MaintenanceMode:
    row, _ = MaintenanceMode.objects.select_for_update().get_or_create(
        pk=MaintenanceMode.SINGLETON_ID
    )
    return row


def _save(row: MaintenanceMode, *, actor: Any, action: str, before: dict[str, Any]) -> None:
    row.changed_at = timezone.now()
    row.save()
    after = {name: getattr(row, name) for name in before}
    audit_record(
        action=action,
        actor=actor,
        obj=row,
        object_repr=str(row),
        actor_label="" if actor is not None else "command line",
        changes={
            name: {"before": _json(before[name]), "after": _json(after[name])}
            for name in before
            if before[name] != after[name]
        },
    )
    # Now for this process's next read, and again at commit (a read in between may have
    # cached the old row).
    state.forget()
    transaction.on_commit(state.forget)


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _snapshot(row: MaintenanceMode, *names: str) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


@transaction.atomic
def maintenance_turn_on(
    *, actor: Any, message: str = "", retry_after_seconds: int | None = None
) -> MaintenanceMode:
    """Every page and API call answers 503 (except platform staff, health and metrics)."""
    _authorize(actor)
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise ServiceError(f"The message may be at most {MESSAGE_MAX} characters.", field="message")
    if retry_after_seconds is not None and not 1 <= retry_after_seconds <= RETRY_AFTER_MAX:
        raise ServiceError(
            f"Retry-After must be between 1 and {RETRY_AFTER_MAX} seconds.",
            field="retry_after_seconds",
        )
    row = _row()
    before = _snapshot(row, "is_on", "message", "retry_after_seconds")
    row.is_on = True
    row.message = message
    if retry_after_seconds is not None:
        row.retry_after_seconds = retry_after_seconds
    _save(row, actor=actor, action="maintenance.on", before=before)
    return row


@transaction.atomic
def maintenance_turn_off(*, actor: Any) -> MaintenanceMode:
    """Back to normal. A planned window that has ended is cleared with it."""
    _authorize(actor)
    row = _row()
    before = _snapshot(row, "is_on", "window_starts_at", "window_ends_at")
    row.is_on = False
    now = timezone.now()
    if row.window_starts_at is not None and (row.window_ends_at or row.window_starts_at) <= now:
        row.window_starts_at = row.window_ends_at = None
    _save(row, actor=actor, action="maintenance.off", before=before)
    return row


@transaction.atomic
def maintenance_schedule(
    *,
    actor: Any,
    starts_at: datetime,
    ends_at: datetime | None = None,
    announce_hours: int = 24,
) -> MaintenanceMode:
    """Plan a window: everyone sees a banner from `announce_hours` before it starts until it
    ends. Planning does not switch maintenance on; `maintenance_turn_on` does, when it starts."""
    _authorize(actor)
    if timezone.is_naive(starts_at) or (ends_at is not None and timezone.is_naive(ends_at)):
        raise ServiceError("Give the times with their time zone (e.g. 2026-03-01T22:00Z).")
    if ends_at is not None and ends_at <= starts_at:
        raise ServiceError("The window must end after it starts.", field="ends_at")
    if (ends_at or starts_at) <= timezone.now():
        raise ServiceError("The window is already over.", field="starts_at")
    if not 0 <= announce_hours <= ANNOUNCE_HOURS_MAX:
        raise ServiceError(
            f"Announce it between 0 and {ANNOUNCE_HOURS_MAX} hours ahead.",
            field="announce_hours",
        )
    row = _row()
    before = _snapshot(row, "window_starts_at", "window_ends_at", "announce_hours")
    row.window_starts_at = starts_at
    row.window_ends_at = ends_at
    row.announce_hours = announce_hours
    _save(row, actor=actor, action="maintenance.schedule", before=before)
    return row


@transaction.atomic
def maintenance_unschedule(*, actor: Any) -> MaintenanceMode:
    """Cancel the planned window (the banner goes away)."""
    _authorize(actor)
    row = _row()
    before = _snapshot(row, "window_starts_at", "window_ends_at")
    row.window_starts_at = row.window_ends_at = None
    _save(row, actor=actor, action="maintenance.unschedule", before=before)
    return row
