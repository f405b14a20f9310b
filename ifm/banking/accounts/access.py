"""How banking services declare their permission: `@banking_service("banking.manage")`.

The same as `org_service` (permission checked first, then the body in one transaction inside
the organization), except that `access` may be left out: it is then the acting user's own
active membership of the organization, so a job or another app's code that has the user but
not the membership still goes through the same check.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from ifm.core.org_context import org_context
from ifm.tenancy.models import Membership, Organization
from ifm.tenancy.permissions import Access, org_service

P = ParamSpec("P")
R = TypeVar("R")


def membership_access(organization: Organization, actor: Any) -> Access | None:
    """The actor's active membership of the organization, or None."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    with org_context(organization):
        return Membership.objects.filter(user_id=actor.pk, is_active=True).first()


def banking_service(
    perm: str, *, atomic: bool = True
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    def declare(func: Callable[P, R]) -> Callable[P, R]:
        checked = org_service(perm, atomic=atomic)(func)

        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            given: dict[str, Any] = kwargs
            if given.get("access") is None:
                given["access"] = membership_access(given["organization"], given.get("actor"))
            return checked(*args, **kwargs)

        return run

    return declare
