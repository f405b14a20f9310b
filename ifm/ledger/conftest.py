from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ifm.core.org_context import org_context
from ifm.ledger.chart.services import chart_create_from_template
from ifm.ledger.models import Account, Fund, Restriction
from ifm.tenancy.models import Organization


@pytest.fixture
def books(org_a: Organization, org_b: Organization) -> Iterator[Organization]:
    """Organization A with its chart of accounts, in context; B has a chart too."""
    chart_create_from_template(organization=org_a)
    chart_create_from_template(organization=org_b)
    with org_context(org_a):
        yield org_a


def acct(number: str) -> Account:
    return Account.objects.get(number=number)


@pytest.fixture
def general() -> Any:
    return Fund.objects.get(is_general=True)


@pytest.fixture
def restricted(books: Organization) -> Fund:
    return Fund.objects.create(
        code="YOUTH", name="Youth program", restriction=Restriction.PURPOSE, purpose="Youth"
    )
