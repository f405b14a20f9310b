"""The volunteers' tiles of the dashboard (registered in hooks.ready(), see
ifm/orgs/dashboard.py): hours waiting for approval, and approved hours this month; shown once
the organization has any hours at all."""

from __future__ import annotations

from collections.abc import Iterator

from ifm.orgs.dashboard import DashboardContext, Tile
from ifm.tenancy.permissions import has_perm
from ifm.volunteers.hours import selectors
from ifm.volunteers.models import HoursStatus


def hours_tiles(ctx: DashboardContext) -> Iterator[Tile]:
    start = ctx.today.replace(day=1)
    entries, pending, approved = selectors.dashboard_figures(start, ctx.today)
    if not entries:
        # An organization that does not run a volunteer program sees no empty tiles.
        return
    can_approve = has_perm(ctx.access, "volunteers.approve_hours")
    yield Tile(
        key="volunteers.hours_pending",
        title="Volunteer hours to approve",
        value=pending,
        detail="Logged or checked out, waiting for a decision",
        attention=pending > 0 and can_approve,
        url=ctx.url("volunteers:hours_queue" if can_approve else "volunteers:hours_list")
        + ("" if can_approve else f"?status={HoursStatus.PENDING.value}"),
    )
    yield Tile(
        key="volunteers.hours_month",
        title=f"Volunteer hours in {ctx.today:%B}",
        value=approved,
        detail=f"Approved, since {start:%b} 1",
        url=ctx.url(
            "volunteers:hours_list",
            {
                "status": HoursStatus.APPROVED.value,
                "date_from": start.isoformat(),
                "date_to": ctx.today.isoformat(),
            },
        ),
    )
