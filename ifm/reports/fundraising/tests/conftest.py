"""Hand-built giving for the fundraising reports: donors and gifts written directly, active
unless said otherwise."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ifm.core.org_context import org_context
from ifm.donors.gifts.services import donation_record, donation_void
from ifm.donors.models import Donation, Donor
from ifm.ledger.models import Fund
from ifm.ledger.periods.services import fiscal_year_ensure
from ifm.tenancy.models import Membership, Organization

Give = Callable[..., Donation]


@pytest.fixture
def alpha(org_a: Organization, cast: dict[str, Any]) -> Iterator[Organization]:
    with org_context(org_a):
        yield org_a


def make_donor(org: Organization, name: str) -> Donor:
    return Donor.objects.create(organization=org, first_name=name, last_name="Tester")


def make_gift(
    org: Organization, donor: Donor, on: date, amount: str, *, status: str = "active", **more: Any
) -> Donation:
    """A gift recorded (and posted) by the donors' service; `status="voided"` voids it."""
    admin = Membership.objects.get(organization=org, role="admin")
    who: dict[str, Any] = {"organization": org, "actor": admin.user, "access": admin}
    fiscal_year_ensure(organization=org, on=on)
    gift = donation_record(
        **who,
        donor=donor,
        date=on,
        amount=Decimal(amount),
        method="check",
        fund=Fund.objects.get(is_general=True),
        **more,
    )
    if status == "voided":
        gift = donation_void(**who, donation=gift, reason="Entered twice")
    return gift


@pytest.fixture
def donor(alpha: Organization) -> Callable[[str], Donor]:
    return lambda name: make_donor(alpha, name)


@pytest.fixture
def give(alpha: Organization) -> Give:
    return lambda donor, on, amount, **more: make_gift(alpha, donor, on, amount, **more)
