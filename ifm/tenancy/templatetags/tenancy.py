"""Template helpers of tenancy: `{% load tenancy %}` then `{% if access|can:"audit.view" %}`."""

from __future__ import annotations

from typing import Any

from django import template

from ifm.tenancy import modules
from ifm.tenancy.permissions import has_perm as _has_perm

register = template.Library()


@register.filter(name="can")
def can(access: Any, code: str) -> bool:
    """True when the request's access (membership or platform grant) allows permission `code`."""
    return _has_perm(access or None, code)


@register.filter(name="has_perm")
def has_perm(access: Any, code: str) -> bool:
    return _has_perm(access or None, code)


@register.filter(name="module_enabled")
def module_enabled(org: Any, key: str) -> bool:
    """True when the organization has enabled module `key` (ifm/tenancy/modules.py):
    `{% if org|module_enabled:"donors" %}`. An unknown key is an error, not a silent False."""
    modules.get_module(key)
    return modules.is_module_enabled(org, key)
