"""What the hours area shows on the volunteer's page (ifm/orgs/panels.py): their approved hours
and the milestones reached and next."""

from __future__ import annotations

from typing import Any

from ifm.orgs.panels import PanelContext, register
from ifm.volunteers.hours.selectors import volunteer_milestones

VOLUNTEER_PAGE = "volunteer"


def milestones_panel(ctx: PanelContext) -> dict[str, Any]:
    """The panel's context: the volunteer's milestones (one query)."""
    return {"milestones": volunteer_milestones(ctx.obj)}


def register_panels() -> None:
    register(
        VOLUNTEER_PAGE,
        "volunteers.milestones",
        template="volunteers/hours/_milestones_panel.html",
        build=milestones_panel,
        perm="volunteers.view",
        order=50,
    )
