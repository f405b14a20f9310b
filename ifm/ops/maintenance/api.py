"""/api/v1/platform/maintenance: the platform page's twin, for IFM platform staff (any of their
tokens; the organization it names plays no part). The same services as the page and
`ifm maintenance`. While maintenance is on, platform staff's requests still get through."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Router, Schema

from ifm.accounts.http import OrgRequest
from ifm.ops.maintenance import services, state
from ifm.ops.services import require_platform_staff

router = Router(tags=["platform"])


class MaintenanceOut(Schema):
    on: bool
    message: str = Field(..., description="What the maintenance page says.")
    retry_after_seconds: int = Field(..., description="The Retry-After clients get now.")
    window_starts_at: datetime | None
    window_ends_at: datetime | None
    announce_hours: int
    announced: bool = Field(..., description="The banner announces the planned window now.")


class MaintenanceIn(Schema):
    on: bool
    message: str = ""
    retry_after_seconds: int | None = None


class WindowIn(Schema):
    starts_at: datetime
    ends_at: datetime | None = None
    announce_hours: int = 24


def _out() -> dict[str, Any]:
    current = state.read()
    return {
        "on": current.is_on,
        "message": current.text,
        "retry_after_seconds": current.retry_after(),
        "window_starts_at": current.window_starts_at,
        "window_ends_at": current.window_ends_at,
        "announce_hours": current.announce_hours,
        "announced": current.announced(),
    }


@router.get(
    "/platform/maintenance",
    response=MaintenanceOut,
    summary="Maintenance mode and the planned window (IFM platform staff)",
)
def maintenance_get(request: OrgRequest) -> Any:
    require_platform_staff(request.user)
    return _out()


@router.put(
    "/platform/maintenance",
    response=MaintenanceOut,
    summary="Turn maintenance mode on or off (IFM platform staff)",
)
def maintenance_set(request: OrgRequest, payload: MaintenanceIn) -> Any:
    if payload.on:
        services.maintenance_turn_on(
            actor=request.user,
            message=payload.message,
            retry_after_seconds=payload.retry_after_seconds,
        )
    else:
        services.maintenance_turn_off(actor=request.user)
    return _out()


@router.put(
    "/platform/maintenance/window",
    response=MaintenanceOut,
    summary="Plan a maintenance window, announced by a banner (IFM platform staff)",
)
def maintenance_window_set(request: OrgRequest, payload: WindowIn) -> Any:
    services.maintenance_schedule(
        actor=request.user,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        announce_hours=payload.announce_hours,
    )
    return _out()


@router.delete(
    "/platform/maintenance/window",
    response=MaintenanceOut,
    summary="Cancel the planned maintenance window (IFM platform staff)",
)
def maintenance_window_delete(request: OrgRequest) -> Any:
    services.maintenance_unschedule(actor=request.user)
    return _out()
