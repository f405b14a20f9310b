"""Input and output shapes of the bank account, line and column profile API. Amounts cross
the API as decimal strings; a line's amount is signed (deposits positive)."""

from __future__ import annotations

from datetime import date as date_type
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema

from ifm.banking.models import LineStatus, StatementFormat
from ifm.core.api import InputSchema
from ifm.core.api_types import Id, Version


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


ShortText = Annotated[str, Field(max_length=100)]
AccountNumber = Annotated[
    str,
    Field(
        max_length=64,
        description="The account number or its last digits (IBAN, card number...); only the "
        "last 4 digits are kept.",
    ),
]


class BankAccountOut(Schema):
    id: int
    name: str
    institution: str
    account_last_digits: str = Field(..., description="The last digits kept of the number.")
    masked_number: str = Field(..., description='As shown: "••••1234".')
    ledger_account_id: int = Field(..., description="The cash account of the ledger.")
    ledger_account: str = Field(..., description="Its number and name.")
    default_fund_id: int
    currency: str
    is_archived: bool
    unmatched_count: int = Field(0, description="Lines not yet matched to the books.")
    version: int
    created_at: datetime

    @staticmethod
    def resolve_ledger_account(obj: Any) -> str:
        return str(obj.ledger_account)

    @staticmethod
    def resolve_unmatched_count(obj: Any) -> int:
        return int(getattr(obj, "unmatched_count", 0) or 0)


class BankAccountIn(InputSchema):
    name: ShortText
    ledger_account_id: Id = Field(
        ..., description="A cash or bank account of the chart that takes postings."
    )
    default_fund_id: Id | None = Field(None, description="Default: the general fund.")
    institution: ShortText = ""
    account_number: AccountNumber = ""


class BankAccountPatchIn(InputSchema):
    version: Version
    name: ShortText | None = None
    ledger_account_id: Id | None = None
    default_fund_id: Id | None = None
    institution: ShortText | None = None
    account_number: AccountNumber | None = None
    is_archived: bool | None = Field(
        None, description="Archive (true) or bring back (false); archived, it takes no imports."
    )


class BankTransactionOut(Schema):
    id: int
    date: date_type
    amount: str = Field(..., description="Signed decimal string: deposits positive.")
    payee: str
    memo: str
    reference: str
    kind: str
    status: LineStatus
    statement_id: int
    running_balance: str | None = Field(None, description="The file's balance after the line.")

    @staticmethod
    def resolve_amount(obj: Any) -> str | None:
        return money(obj.amount)

    @staticmethod
    def resolve_running_balance(obj: Any) -> str | None:
        return money(obj.running_balance)


class StatementOut(Schema):
    id: int
    bank_account_id: int
    format: StatementFormat
    filename: str
    start_date: date_type | None
    end_date: date_type | None
    opening_balance: str | None
    closing_balance: str | None
    closing_balance_date: date_type | None
    line_count: int
    imported_count: int
    duplicate_count: int
    created_at: datetime

    @staticmethod
    def resolve_opening_balance(obj: Any) -> str | None:
        return money(obj.opening_balance)

    @staticmethod
    def resolve_closing_balance(obj: Any) -> str | None:
        return money(obj.closing_balance)


class CsvProfileOut(Schema):
    id: int
    name: str
    date_column: str
    date_format: str
    amount_column: str
    debit_column: str
    credit_column: str
    payee_column: str
    memo_column: str
    reference_column: str
    balance_column: str
    decimal_comma: bool
    negate_amounts: bool
    version: int


ColumnName = Annotated[str, Field(max_length=100)]


class CsvProfileIn(InputSchema):
    name: ShortText
    date_column: ColumnName
    date_format: Annotated[str, Field(max_length=40)] = Field(
        "%Y-%m-%d", description="How dates are written, strftime style: %d/%m/%Y, %m/%d/%Y..."
    )
    amount_column: ColumnName = Field("", description="One signed amount column, or:")
    debit_column: ColumnName = Field("", description="Withdrawals (with credit_column).")
    credit_column: ColumnName = Field("", description="Deposits (with debit_column).")
    payee_column: ColumnName = ""
    memo_column: ColumnName = ""
    reference_column: ColumnName = ""
    balance_column: ColumnName = Field("", description="A running balance, checked line by line.")
    decimal_comma: bool = Field(False, description='Amounts written "1.234,56".')
    negate_amounts: bool = Field(
        False, description="The amount column has withdrawals positive (some card exports)."
    )


class CsvProfilePatchIn(InputSchema):
    version: Version
    name: ShortText | None = None
    date_column: ColumnName | None = None
    date_format: Annotated[str, Field(max_length=40)] | None = None
    amount_column: ColumnName | None = None
    debit_column: ColumnName | None = None
    credit_column: ColumnName | None = None
    payee_column: ColumnName | None = None
    memo_column: ColumnName | None = None
    reference_column: ColumnName | None = None
    balance_column: ColumnName | None = None
    decimal_comma: bool | None = None
    negate_amounts: bool | None = None
