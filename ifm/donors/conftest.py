"""Fixtures of the donors tests: organization A in context with its chart, its memberships."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ifm.core.org_context import org_context
from ifm.ledger.models import Fund, Restriction
from ifm.tenancy.models import Membership, Organization


@pytest.fixture
def donors_org(org_a: Organization, cast: dict[str, Any]) -> Iterator[Organization]:
    """Organization A (chart of accounts and a general fund), in context."""
    with org_context(org_a):
        yield org_a


def access_of(user: Any) -> Membership:
    """The user's membership in the organization in context."""
    return Membership.objects.get(user=user)


@pytest.fixture
def fundraiser(donors_org: Organization, cast: dict[str, Any]) -> dict[str, Any]:
    """keyword arguments for a service call by the fundraising user of A."""
    user = cast["fundraising"]
    return {"organization": donors_org, "actor": user, "access": access_of(user)}


@pytest.fixture
def general_fund(donors_org: Organization) -> Fund:
    return Fund.objects.get(is_general=True)


@pytest.fixture
def youth_fund(donors_org: Organization) -> Fund:
    return Fund.objects.create(
        code="YOUTH", name="Youth program", restriction=Restriction.PURPOSE, purpose="Youth"
    )
