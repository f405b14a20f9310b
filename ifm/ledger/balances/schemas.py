"""API shapes of balances and reports."""

from __future__ import annotations

from datetime import date

from ninja import Field, Schema

from ifm.core.api import InputSchema
from ifm.core.api_types import PositiveMoney
from ifm.ledger.api_types import LedgerDate
from ifm.ledger.models import AccountType, Restriction


class ReleaseIn(InputSchema):
    amount: PositiveMoney
    date: LedgerDate
    memo: str = Field("", max_length=500)


class TrialBalanceRowOut(Schema):
    account_id: int
    number: str
    name: str
    type: AccountType
    debit: str
    credit: str


class TrialBalanceOut(Schema):
    as_of: date
    fund_id: int | None
    rows: list[TrialBalanceRowOut]
    total_debit: str
    total_credit: str


class LedgerLineOut(Schema):
    id: int
    entry_id: int
    entry_number: int
    date: date
    memo: str
    fund_id: int
    fund_code: str
    debit: str
    credit: str
    balance: str


class AccountLedgerOut(Schema):
    account_id: int
    number: str
    name: str
    type: AccountType
    fund_id: int | None
    date_from: date | None
    date_to: date | None
    opening_balance: str = Field(
        ..., description="Balance before date_from, on the account's normal side."
    )
    items: list[LedgerLineOut]
    next: str | None


class FundBalanceOut(Schema):
    fund_id: int
    code: str
    name: str
    restriction: Restriction
    assets: str
    liabilities: str
    without_donor_restrictions: str
    with_donor_restrictions: str
    balance: str = Field(..., description="Total net assets: without plus with restrictions.")
    released_from_restriction: str = Field(
        ...,
        description=(
            "Released from restriction between date_from and as_of: moved from with to without "
            "donor restrictions inside the fund (the balance does not change)."
        ),
    )


class FundBalanceTotalsOut(Schema):
    without_donor_restrictions: str
    with_donor_restrictions: str
    balance: str
    released_from_restriction: str


class FundBalancesOut(Schema):
    as_of: date
    date_from: date
    rows: list[FundBalanceOut]
    totals: FundBalanceTotalsOut
