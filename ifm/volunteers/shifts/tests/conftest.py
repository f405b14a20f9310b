"""Fixtures of the shifts area's tests: a volunteer coordinator's service arguments in
organization A (whose clock is New York's)."""

from __future__ import annotations

from typing import Any

import pytest

from ifm.core.org_context import org_context
from ifm.tenancy.models import Membership, Organization


def who(org: Organization, user: Any) -> dict[str, Any]:
    """organization, actor and access of a member, as a service takes them."""
    with org_context(org):
        access = Membership.objects.get(user=user)
    return {"organization": org, "actor": user, "access": access}


@pytest.fixture
def coordinator(org_a: Organization, cast: dict[str, Any]) -> dict[str, Any]:
    return who(org_a, cast["volunteer_coordinator"])


@pytest.fixture
def staff(org_a: Organization, cast: dict[str, Any]) -> dict[str, Any]:
    return who(org_a, cast["staff"])
