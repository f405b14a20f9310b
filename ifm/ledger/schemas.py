"""Input and output shapes of the ledger API. Amounts cross the API as decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from ifm.core.api import InputSchema
from ifm.core.api_types import (
    EARLIEST_DATE,
    LATEST_DATE,
    POSITIVE_MONEY_PATTERN,
    ZERO_MONEY_PATTERN,
    ApiDate,
    Id,
    Money,
    PositiveMoney,
    Version,
)
from ifm.ledger.models import AccountType, PeriodStatus, Restriction

# Dates the ledger accepts: fiscal years are computed from them, so keep them to sane years.
EARLIEST = EARLIEST_DATE
LATEST = LATEST_DATE
LedgerDate = ApiDate


def money(value: Decimal | None) -> str:
    return f"{(value or Decimal('0')):.2f}"


# --- Accounts, funds, programs -------------------------------------------------------------------


class AccountOut(Schema):
    id: int
    number: str
    name: str
    type: AccountType
    parent_id: int | None
    net_asset_class: str
    role: str
    description: str
    is_active: bool
    is_postable: bool = Field(
        ...,
        description=(
            "Whether entries may post to the account: false for a header (an account with "
            "sub-accounts, whose balance is theirs) and for an inactive account."
        ),
    )
    version: int
    updated_at: datetime

    @staticmethod
    def resolve_is_postable(obj: Any) -> bool:
        header = getattr(obj, "is_header", None)
        if header is None:
            header = obj.children.exists()
        return bool(obj.is_active and not header)


class AccountIn(InputSchema):
    number: str = Field(..., min_length=1, max_length=20)
    name: str = Field(..., min_length=1, max_length=200)
    type: AccountType
    parent_id: Id | None = None
    net_asset_class: str = Field("", max_length=40)
    description: str = Field("", max_length=500)


class AccountPatchIn(InputSchema):
    version: Version
    number: str | None = Field(None, min_length=1, max_length=20)
    name: str | None = Field(None, min_length=1, max_length=200)
    parent_id: Id | None = Field(None, description="null makes the account top-level.")
    net_asset_class: str | None = Field(None, max_length=40)
    description: str | None = Field(None, max_length=500)
    is_active: bool | None = None


class FundOut(Schema):
    id: int
    code: str
    name: str
    restriction: Restriction
    net_asset_class: str
    purpose: str
    restricted_until: date | None
    is_general: bool
    is_active: bool
    version: int
    updated_at: datetime


class FundIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=20)
    name: str = Field(..., min_length=1, max_length=200)
    restriction: Restriction = Restriction.NONE
    purpose: str = Field("", max_length=500)
    restricted_until: LedgerDate | None = None


class FundPatchIn(InputSchema):
    version: Version
    code: str | None = Field(None, min_length=1, max_length=20)
    name: str | None = Field(None, min_length=1, max_length=200)
    restriction: Restriction | None = None
    purpose: str | None = Field(None, max_length=500)
    restricted_until: LedgerDate | None = None
    is_active: bool | None = None


class ProgramOut(Schema):
    id: int
    code: str
    name: str
    is_active: bool
    version: int
    updated_at: datetime


class ProgramIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=20)
    name: str = Field(..., min_length=1, max_length=200)


class ProgramPatchIn(InputSchema):
    version: Version
    code: str | None = Field(None, min_length=1, max_length=20)
    name: str | None = Field(None, min_length=1, max_length=200)
    is_active: bool | None = None


# --- Journal -------------------------------------------------------------------------------------


class JournalLineIn(InputSchema):
    """One line: exactly one of `debit` and `credit` above zero (the other zero or left out)."""

    # JSON Schema's way to say "one column, not both": the service checks the same rule.
    # if/then/else rather than a oneOf of two partial objects, which client generators take
    # for two types holding only debit and credit (no account, no fund).
    model_config = ConfigDict(
        json_schema_extra={
            "if": {
                "required": ["debit"],
                "properties": {"debit": {"pattern": POSITIVE_MONEY_PATTERN}},
            },
            "then": {"properties": {"credit": {"pattern": ZERO_MONEY_PATTERN}}},
            "else": {
                "required": ["credit"],
                "properties": {"credit": {"pattern": POSITIVE_MONEY_PATTERN}},
            },
        }
    )

    account_id: Id
    fund_id: Id
    debit: Money = "0"
    credit: Money = "0"
    program_id: Id | None = None
    function: str = Field(
        "", max_length=20, description="program, management or fundraising (or blank)."
    )
    memo: str = Field("", max_length=500)


class ReleaseIn(InputSchema):
    amount: PositiveMoney
    date: LedgerDate
    memo: str = Field("", max_length=500)


class JournalEntryIn(InputSchema):
    date: LedgerDate
    memo: str = Field("", max_length=500)
    reference: str = Field("", max_length=100)
    lines: list[JournalLineIn] = Field(..., max_length=500)


class ReverseIn(InputSchema):
    date: LedgerDate | None = Field(None, description="Defaults to the entry's own date.")
    memo: str = Field("", max_length=500)


class JournalLineOut(Schema):
    id: int
    account_id: int
    account_number: str
    account_name: str
    fund_id: int
    fund_code: str
    program_id: int | None
    function: str
    debit: str
    credit: str
    memo: str

    @staticmethod
    def resolve_account_number(obj: Any) -> str:
        return str(obj.account.number)

    @staticmethod
    def resolve_account_name(obj: Any) -> str:
        return str(obj.account.name)

    @staticmethod
    def resolve_fund_code(obj: Any) -> str:
        return str(obj.fund.code)

    @staticmethod
    def resolve_debit(obj: Any) -> str:
        return money(obj.debit)

    @staticmethod
    def resolve_credit(obj: Any) -> str:
        return money(obj.credit)


class JournalEntrySummaryOut(Schema):
    id: int
    number: int
    date: date
    memo: str
    reference: str
    source_type: str
    source_id: str
    reverses_id: int | None
    period_id: int
    created_at: datetime
    created_by_id: int | None
    total: str

    @staticmethod
    def resolve_total(obj: Any) -> str:
        total = getattr(obj, "total", None)
        if total is None and hasattr(obj, "lines"):
            total = sum((line.debit for line in obj.lines.all()), Decimal("0"))
        return money(total)


class JournalEntryOut(JournalEntrySummaryOut):
    reversed_by_id: int | None
    lines: list[JournalLineOut]

    @staticmethod
    def resolve_reversed_by_id(obj: Any) -> int | None:
        reversal = obj.__class__.objects.filter(reverses_id=obj.pk).values_list("pk", flat=True)
        return next(iter(reversal), None)

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.select_related("account", "fund").order_by("id"))


# --- Periods -------------------------------------------------------------------------------------


class PeriodOut(Schema):
    id: int
    fiscal_year_id: int
    name: str
    start_date: date
    end_date: date
    status: PeriodStatus
    closed_at: datetime | None
    closed_by_id: int | None


class FiscalYearOut(Schema):
    id: int
    name: str
    start_date: date
    end_date: date
    status: PeriodStatus
    closing_entry_id: int | None


class ReopenIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=500, description="Why it is reopened.")


class FiscalYearCloseOut(Schema):
    fiscal_year: FiscalYearOut
    closing_entry_id: int | None


# --- Reports -------------------------------------------------------------------------------------


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
    balance: str


class FundBalancesOut(Schema):
    as_of: date
    rows: list[FundBalanceOut]


# --- Imports -------------------------------------------------------------------------------------


class ImportProblemOut(Schema):
    row: int | None = Field(..., description="Row in the file (the header is row 1).")
    column: str
    field: str
    message: str


class ImportSkippedOut(Schema):
    row: int
    value: str
    reason: str


class ImportedAccountOut(Schema):
    row: int
    number: str
    name: str
    type: AccountType
    parent: str | None


class ImportChangeOut(Schema):
    before: Any = None
    after: Any = None


class UpdatedAccountOut(Schema):
    row: int
    number: str
    changes: dict[str, ImportChangeOut]


class ChartImportOut(Schema):
    format: str = Field(..., description='"ucoa" (Banana/UCOA export) or "simple".')
    dry_run: bool
    created: list[ImportedAccountOut]
    updated: list[UpdatedAccountOut]
    unchanged: int
    skipped: list[ImportSkippedOut]
    problems: list[ImportProblemOut]


class InterfundOut(Schema):
    fund: str
    difference: str


class OpeningBalancesOut(Schema):
    dry_run: bool
    date: date
    entry_id: int | None
    entry_number: int | None
    lines: int
    total_debit: str
    total_credit: str
    interfund: list[InterfundOut]
    skipped: list[ImportSkippedOut]
    problems: list[ImportProblemOut]
