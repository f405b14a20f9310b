"""Input and output shapes of the reconciliations API. Amounts cross as decimal strings, signed
("-12.34") where a balance can be negative."""

from __future__ import annotations

from datetime import date as date_type
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from ifm.core.api import InputSchema
from ifm.core.api_types import ApiDate, Id, Version

# "open" (in progress) or "finished"; a Literal, so the document gets no second "Status" schema.
ReconciliationStatus = Literal["open", "finished"]

SIGNED_MONEY_PATTERN = r"^-?(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?$"

SignedMoney = Annotated[
    str,
    Field(
        pattern=SIGNED_MONEY_PATTERN,
        max_length=16,
        description="A decimal string with at most two decimals, negative when the account is "
        'overdrawn, such as "1250.00" or "-35.10".',
        examples=["1250.00"],
    ),
]


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


class ReconciliationIn(InputSchema):
    bank_account_id: Id
    statement_date: ApiDate = Field(..., description="The last day the statement covers.")
    statement_balance: SignedMoney | None = Field(
        None,
        description="The statement's ending balance. Left out: the closing balance of an "
        "imported statement that closes on statement_date (422 when there is none).",
    )
    books_from: ApiDate | None = Field(
        None,
        description="The account's first reconciliation only: ledger lines dated before this "
        "day are in the statement's opening balance. Left out: the first imported statement's "
        "start.",
    )


class ReconciliationPatchIn(InputSchema):
    version: Version
    statement_balance: SignedMoney


class ReconciliationReopenIn(InputSchema):
    reason: str = Field(
        ..., min_length=1, max_length=500, description="Why; kept in the audit log."
    )


class ReconciliationOut(Schema):
    """A reconciliation and its figures: live while in progress, as finished once finished."""

    id: int
    bank_account_id: int
    status: ReconciliationStatus
    statement_date: date_type
    statement_balance: str
    book_balance: str
    cleared_balance: str
    adjusted_bank_balance: str
    deposits_in_transit: str
    deposits_in_transit_count: int
    outstanding_payments: str = Field(..., description="Outstanding checks and payments, positive.")
    outstanding_payments_count: int
    difference: str = Field(
        ..., description="adjusted_bank_balance - book_balance; 0.00 to finish."
    )
    cleared_count: int = Field(..., description="Bank lines it clears (finished: reconciled).")
    unmatched_bank_count: int = Field(
        ..., description="Bank lines on the statement not cleared in the books."
    )
    unmatched_bank_total: str
    books_from: date_type | None
    finished_at: datetime | None
    finished_by: str | None
    reopened_at: datetime | None
    reopen_reason: str
    created_at: datetime
    version: int


class ReconciliationSummaryOut(Schema):
    """A reconciliation in a list: its figures as finished (live while in progress)."""

    id: int
    bank_account_id: int
    status: ReconciliationStatus
    statement_date: date_type
    statement_balance: str
    book_balance: str | None
    cleared_balance: str | None
    deposits_in_transit: str | None
    outstanding_payments: str | None
    difference: str | None
    finished_at: datetime | None
    version: int

    @staticmethod
    def resolve_statement_balance(obj: Any) -> str | None:
        return money(obj.statement_balance)

    @staticmethod
    def resolve_book_balance(obj: Any) -> str | None:
        return money(obj.book_balance)

    @staticmethod
    def resolve_cleared_balance(obj: Any) -> str | None:
        return money(obj.cleared_balance)

    @staticmethod
    def resolve_deposits_in_transit(obj: Any) -> str | None:
        return money(obj.deposits_in_transit)

    @staticmethod
    def resolve_outstanding_payments(obj: Any) -> str | None:
        return money(obj.outstanding_payments)

    @staticmethod
    def resolve_difference(obj: Any) -> str | None:
        if obj.cleared_balance is None:
            return None  # in progress: GET the reconciliation for its live figures
        return money(obj.statement_balance - obj.cleared_balance)
