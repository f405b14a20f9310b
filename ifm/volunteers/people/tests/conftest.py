"""Fixtures of the people area's tests: service arguments of the coordinator and the viewer of
organization A."""

from __future__ import annotations

from typing import Any

import pytest

from ifm.core.org_context import org_context
from ifm.tenancy.models import Membership


def _who(org: Any, user: Any) -> dict[str, Any]:
    with org_context(org):
        access = Membership.objects.get(user=user)
    return {"organization": org, "access": access, "actor": user}


@pytest.fixture
def who(org_a: Any, cast: dict[str, Any]) -> dict[str, Any]:
    """Service arguments of organization A's volunteer coordinator."""
    return _who(org_a, cast["volunteer_coordinator"])


@pytest.fixture
def viewer(org_a: Any, cast: dict[str, Any]) -> dict[str, Any]:
    return _who(org_a, cast["viewer"])
