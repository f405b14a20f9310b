"""What the budget tests share: twelve amounts, a posting, the acting finance member."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ifm.ledger.conftest import acct
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import Fund
from ifm.reports.budgets.services import LineIn
from ifm.tenancy.models import Membership, Organization


def twelve(amount: str) -> list[Decimal]:
    return [Decimal(amount)] * 12


def line(number: str, amount: str, **extra: Any) -> LineIn:
    return LineIn(acct(number).pk, extra.get("fund"), extra.get("program"), twelve(amount))


def who(org: Organization, user: Any) -> dict[str, Any]:
    return {
        "organization": org,
        "actor": user,
        "access": Membership.objects.get(organization=org, user=user),
    }


def post(org: Organization, user: Any, on: date, debit: str, credit: str, amount: str) -> None:
    fund = Fund.objects.get(is_general=True)
    post_entry(
        organization=org,
        actor=user,
        date=on,
        lines=[
            LineInput(acct(debit), fund, debit=Decimal(amount)),
            LineInput(acct(credit), fund, credit=Decimal(amount)),
        ],
    )
