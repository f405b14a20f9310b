"""What the hours area registers when the app is ready: its demo step and its dashboard tiles."""

from ifm.orgs import dashboard
from ifm.orgs.demo import register
from ifm.tenancy.roles import Role
from ifm.volunteers.hours import dashboard as hours_dashboard
from ifm.volunteers.hours import demo, panels


def ready() -> None:
    register("volunteer_hours", demo.seed, after=demo.AFTER)
    panels.register_panels()
    # The section keeps providers other areas add to it (register_section keeps them).
    dashboard.register_section(
        "volunteers", "Volunteers", roles=[Role.ADMIN, Role.VOLUNTEER_COORDINATOR]
    )
    dashboard.register("volunteers", hours_dashboard.hours_tiles, perm="volunteers.view")
