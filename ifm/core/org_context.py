"""The current organization of this request or job, and the manager that scopes tenant rows to it.

Everything that reads tenant data asks this module which organization it is for. With no
organization set, tenant managers refuse to run (fail closed), and on PostgreSQL the row-level
security policies return no rows. This module imports no model: models import it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import models

_current_org_id: ContextVar[int | None] = ContextVar("ifm_current_org_id", default=None)
_all_orgs: ContextVar[bool] = ContextVar("ifm_all_orgs", default=False)

M = TypeVar("M", bound=models.Model)


class NoOrganizationContext(RuntimeError):
    """A tenant query ran with no organization set: a bug, never a user error."""


def current_org_id() -> int | None:
    return _current_org_id.get()


def require_org_id() -> int:
    org_id = _current_org_id.get()
    if org_id is None:
        raise NoOrganizationContext(
            "Tenant data was queried with no organization in context: wrap the code in "
            "ifm.core.org_context.org_context(org), or use the all_orgs manager inside "
            "all_organizations()."
        )
    return org_id


def all_orgs_active() -> bool:
    return _all_orgs.get()


def set_current_org(org: models.Model | int | None) -> None:
    """Set the organization for the rest of this context (middleware and API auth use this)."""
    _current_org_id.set(_as_id(org))


@contextmanager
def org_context(org: models.Model | int | None) -> Iterator[None]:
    """Run the block for one organization (jobs, commands, tests)."""
    token = _current_org_id.set(_as_id(org))
    try:
        yield
    finally:
        _current_org_id.reset(token)


@contextmanager
def all_organizations() -> Iterator[None]:
    """Loudly named escape hatch: lift the row-level security scope for cross-organization work.

    Only rollout, ops, admin, the sign-in path (a user's memberships) and migrations use it.
    """
    token = _all_orgs.set(True)
    try:
        yield
    finally:
        _all_orgs.reset(token)


def _as_id(org: models.Model | int | None) -> int | None:
    if org is None or isinstance(org, int):
        return org
    return int(org.pk)


class TenantManager(models.Manager[M]):
    """Default manager of tenant-owned models: scoped to the current organization, fails closed."""

    def get_queryset(self) -> models.QuerySet[M]:
        return super().get_queryset().filter(organization_id=require_org_id())

    def create(self, **kwargs: Any) -> M:
        org_id = require_org_id()
        given = kwargs.get("organization_id") or getattr(kwargs.get("organization"), "pk", None)
        if given is not None and given != org_id:
            raise ValueError(
                "Refusing to create a row for another organization than the current one."
            )
        if given is None:
            kwargs["organization_id"] = org_id
        return super().create(**kwargs)
