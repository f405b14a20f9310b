"""The volunteer tiles of the dashboard (ifm/orgs/dashboard.py): active volunteers, and the
qualifications that expire in the next 30 days."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Q

from ifm.orgs.dashboard import DashboardContext, Tile, register, register_section
from ifm.tenancy.roles import Role
from ifm.volunteers.models import Volunteer, VolunteerStatus
from ifm.volunteers.people import selectors

SECTION = "volunteers"


def people_tiles(ctx: DashboardContext) -> Iterator[Tile]:
    counts = Volunteer.objects.order_by().aggregate(
        everyone=Count("pk"),
        active=Count("pk", filter=Q(status=VolunteerStatus.ACTIVE)),
        applicants=Count("pk", filter=Q(status=VolunteerStatus.APPLICANT)),
    )
    if not counts["everyone"]:
        # An organization that does not run a volunteer program sees no empty tiles.
        return
    active, applicants = counts["active"], counts["applicants"]
    yield Tile(
        key="volunteers.active",
        title="Active volunteers",
        value=active,
        detail=f"{applicants} applicant{'' if applicants == 1 else 's'}",
        url=ctx.url("volunteers:volunteer_list", {"status": VolunteerStatus.ACTIVE.value}),
    )
    expiring = selectors.expiring_count(selectors.org_today(ctx.organization))
    yield Tile(
        key="volunteers.qualifications_expiring",
        title="Qualifications expiring",
        value=expiring,
        detail=f"In the next {selectors.EXPIRING_DAYS} days",
        attention=expiring > 0,
        url=ctx.url("volunteers:qualification_expiring"),
    )


def register_tiles() -> None:
    # The section may be registered by another volunteer area too: registering it again keeps
    # the providers already added.
    register_section("volunteers", "Volunteers", roles=[Role.ADMIN, Role.VOLUNTEER_COORDINATOR])
    register(SECTION, people_tiles, perm="volunteers.view")
