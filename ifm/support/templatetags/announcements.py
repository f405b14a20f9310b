"""`{% announcement_banner %}` in the base layout: the platform staff's announcements whose
window is now, on every signed-in page (ifm.support.comms)."""

from __future__ import annotations

from typing import Any

from django import template

from ifm.support.comms.selectors import announcements_now

register = template.Library()


@register.inclusion_tag("support/comms/_banner.html", takes_context=True)
def announcement_banner(context: Any) -> dict[str, Any]:
    user = context.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return {"announcements": []}
    org = context.get("org")
    # The organization of the page, else every organization of the user.
    ids = [org.pk] if org is not None else [o.pk for o in context.get("user_orgs") or []]
    return {"announcements": announcements_now(organization_ids=ids)}
