"""`{% load audit %}`: an event's changes as readable rows."""

from __future__ import annotations

import json
from typing import Any

from django import template

from ifm.audit import selectors

register = template.Library()


@register.filter
def change_rows(changes: Any) -> list[dict[str, Any]]:
    return selectors.change_rows(changes)


@register.filter
def audit_value(value: Any) -> str:
    """A recorded value as people read it: empty, yes/no, or the text."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
