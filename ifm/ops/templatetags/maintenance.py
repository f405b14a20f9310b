"""`{% maintenance_banner %}` in the base layout: the planned window, announced to everyone
ahead of time, and for platform staff the reminder that maintenance mode is on."""

from __future__ import annotations

from typing import Any

from django import template

from ifm.ops.maintenance.state import current

register = template.Library()


@register.inclusion_tag("ops/maintenance/banner.html", takes_context=True)
def maintenance_banner(context: Any) -> dict[str, Any]:
    maintenance = current()
    user = context.get("user")
    staff = bool(user is not None and getattr(user, "is_platform_staff", False))
    return {
        "maintenance": maintenance,
        "maintenance_on": maintenance.is_on,
        "staff": staff,
        "announced": maintenance.announced(),
    }
