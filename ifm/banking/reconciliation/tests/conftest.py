from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ifm.banking.models import BankAccount
from ifm.banking.reconciliation.tests.factories import books
from ifm.core.org_context import org_context
from ifm.tenancy.models import Membership, Organization


@pytest.fixture
def account(org_a: Organization) -> Iterator[BankAccount]:
    """Organization A's bank account on 1010, with fiscal year 2026 open, in A's context."""
    made = books(org_a)
    with org_context(org_a):
        yield made


@pytest.fixture
def finance(cast: dict[str, Any], org_a: Organization) -> dict[str, Any]:
    """The service arguments of A's finance member."""
    user = cast["finance"]
    with org_context(org_a):
        access = Membership.objects.get(user=user)
    return {"organization": org_a, "actor": user, "access": access}
