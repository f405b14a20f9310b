"""What the hours area shows on other areas' pages: the milestones panel of a volunteer.

    from ifm.volunteers.hours.panels import milestones_panel
    {{ milestones_panel }}   (milestones_panel(volunteer) in the view's context)

or, in a template, `{% include "volunteers/hours/_milestones.html" with milestones=m %}` with
`m = selectors.volunteer_milestones(volunteer)`."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from ifm.volunteers.hours.selectors import volunteer_milestones
from ifm.volunteers.models import Volunteer


def milestones_panel(volunteer: Volunteer) -> SafeString:
    """The volunteer's approved hours and milestones as an HTML card (one query)."""
    html = render_to_string(
        "volunteers/hours/_milestones.html", {"milestones": volunteer_milestones(volunteer)}
    )
    return mark_safe(html)
