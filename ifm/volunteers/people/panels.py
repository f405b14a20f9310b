"""The panel the people area adds to the donor profile (ifm/orgs/panels.py): the volunteer
linked to the donor, with their approved hours and a link to their page."""

from __future__ import annotations

from typing import Any

from ifm.orgs.panels import PanelContext, register
from ifm.volunteers.people import selectors

DONOR_PAGE = "donor"


def donor_panel(ctx: PanelContext) -> dict[str, Any] | None:
    volunteer = selectors.volunteer_for_donor(ctx.obj.pk)
    if volunteer is None:
        return None
    return {"volunteer": volunteer, "approved_hours": selectors.approved_hours(volunteer)}


def register_panels() -> None:
    register(
        DONOR_PAGE,
        "volunteers.volunteer",
        template="volunteers/people/_donor_panel.html",
        build=donor_panel,
        perm="volunteers.view",
        order=50,
    )
