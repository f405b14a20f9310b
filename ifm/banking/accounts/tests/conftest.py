"""Fixtures of the bank account tests: organization A with its chart, a finance member's
service arguments, and a bank account on the operating cash account (1010)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ifm.banking.accounts.services import bank_account_create
from ifm.banking.models import BankAccount
from ifm.core.org_context import org_context
from ifm.ledger.chart.services import chart_create_from_template
from ifm.ledger.models import Account
from ifm.tenancy.models import Membership, Organization


@pytest.fixture
def in_a(org_a: Organization, cast: dict[str, Any]) -> Iterator[Organization]:
    chart_create_from_template(organization=org_a)
    with org_context(org_a):
        yield org_a


def who(org: Organization, user: Any) -> dict[str, Any]:
    """organization, actor and access of a member, as a service takes them."""
    with org_context(org):
        access = Membership.objects.get(user=user)
    return {"organization": org, "actor": user, "access": access}


@pytest.fixture
def finance(in_a: Organization, cast: dict[str, Any]) -> dict[str, Any]:
    return who(in_a, cast["finance"])


def account(number: str) -> Account:
    return Account.objects.get(number=number)


@pytest.fixture
def checking(finance: dict[str, Any]) -> BankAccount:
    return bank_account_create(
        **finance,
        name="Checking",
        ledger_account=account("1010"),
        institution="First Community Bank",
        account_number="000123456789",
    )
