"""The shifts tile of the dashboard (ifm/orgs/dashboard.py): shifts of the coming week that
still have open places, and how many places are open in all (one query; no tile when there
are none)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.db.models import Count, Sum
from django.utils import timezone

from ifm.core.forms import today_in
from ifm.orgs.dashboard import DashboardContext, Tile, register, register_section
from ifm.tenancy.roles import Role
from ifm.volunteers.shifts import selectors

SECTION = "volunteers"
WEEK = 7


def shift_tiles(ctx: DashboardContext) -> Iterator[Tile]:
    zone = ctx.organization.time_zone
    today = today_in(zone)
    last = today + timedelta(days=WEEK - 1)
    _start, end = selectors.day_bounds(last, zone)
    open_shifts = selectors.open_shifts_between(timezone.now(), end)
    totals = open_shifts.aggregate(shifts=Count("id"), places=Sum("open_places"))
    count, places = int(totals["shifts"] or 0), int(totals["places"] or 0)
    if not count:
        return  # no tile when every shift of the week is full (or there are none)
    yield Tile(
        key="volunteers.shifts_open_week",
        title="Shifts with open spots",
        value=count,
        detail=f"{places} open spot{'' if places == 1 else 's'} in the next {WEEK} days",
        attention=count > 0,
        url=ctx.url(
            "volunteers:shift_list",
            {"date_from": today.isoformat(), "date_to": last.isoformat()},
        ),
    )


def register_tiles() -> None:
    # The people area registers the same section; registering it again keeps its providers.
    register_section(SECTION, "Volunteers", roles=[Role.ADMIN, Role.VOLUNTEER_COORDINATOR])
    register(SECTION, shift_tiles, perm="volunteers.view")
