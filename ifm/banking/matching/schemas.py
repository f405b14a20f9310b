"""Input and output shapes of the matching API. Amounts cross the API as decimal strings,
signed where they are a bank line's or a ledger line's (deposits positive)."""

from datetime import date as date_type
from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from ifm.banking.models import Direction
from ifm.core.api import InputSchema
from ifm.core.api_types import Id, Money, Version
from ifm.ledger.models import Function

SIGNED = 'A signed decimal string, deposits positive, such as "-12.50".'


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


class UnmatchedLineOut(Schema):
    id: int
    bank_account_id: int
    date: date_type
    amount: str = Field(..., description=SIGNED)
    payee: str
    memo: str
    reference: str
    status: str
    match_id: int | None

    @staticmethod
    def resolve_amount(obj: Any) -> str:
        return f"{obj.amount:.2f}"


class SuggestedLineOut(Schema):
    id: int = Field(..., description="The journal line's id (send it to match).")
    journal_entry_id: int
    entry_number: int
    date: date_type
    amount: str = Field(..., description="Debit less credit, " + SIGNED)
    memo: str
    entry_memo: str
    reference: str


class SuggestedBankLineOut(Schema):
    id: int
    date: date_type
    amount: str = Field(..., description=SIGNED)
    payee: str


class SuggestionOut(Schema):
    journal_lines: list[SuggestedLineOut]
    other_bank_transaction_ids: list[int] = Field(
        ..., description="Many-to-one: other bank lines that belong in the same match."
    )
    other_bank_transactions: list[SuggestedBankLineOut]
    score: int = Field(..., ge=0, le=100)
    reasons: list[str]
    confident: bool


class MatchIn(InputSchema):
    journal_line_ids: list[Id] = Field(..., min_length=1, max_length=500)
    other_bank_transaction_ids: list[Id] = Field(
        default_factory=list,
        max_length=499,
        description="Other unmatched bank lines of the same account in the same match.",
    )


class MatchOut(Schema):
    id: int
    bank_account_id: int
    via: str
    cleared_on: date_type
    rule_id: int | None
    bank_transaction_ids: list[int]
    journal_line_ids: list[int]
    journal_entry_ids: list[int]
    created_at: datetime


class UnmatchIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=500)


class CreateEntryIn(InputSchema):
    account_id: Id = Field(..., description="Where the money came from or went to.")
    fund_id: Id | None = Field(None, description="Default: the bank account's default fund.")
    program_id: Id | None = None
    function: Function | None = None
    memo: str = Field("", max_length=500, description="Default: the bank line's payee.")


class CountOut(Schema):
    count: int


class ApplyRulesOut(Schema):
    created: int
    skipped: list[str] = Field(..., description="Lines a rule fits whose entry could not post.")


class RuleOut(Schema):
    id: int
    name: str
    priority: int
    is_active: bool
    bank_account_id: int | None
    payee_contains: str
    memo_contains: str
    direction: Direction
    amount_min: str | None
    amount_max: str | None
    account_id: int
    fund_id: int | None
    program_id: int | None
    function: str
    memo: str
    version: int
    updated_at: datetime

    @staticmethod
    def resolve_amount_min(obj: Any) -> str | None:
        return money(obj.amount_min)

    @staticmethod
    def resolve_amount_max(obj: Any) -> str | None:
        return money(obj.amount_max)


class RuleIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    account_id: Id
    priority: int = Field(100, ge=0, le=1_000_000, description="Lower runs first.")
    is_active: bool = True
    bank_account_id: Id | None = Field(None, description="Null: every bank account.")
    payee_contains: str = Field("", max_length=100)
    memo_contains: str = Field("", max_length=100)
    direction: Direction = Direction.ANY
    amount_min: Money | None = Field(None, description="On the amount without its sign.")
    amount_max: Money | None = None
    fund_id: Id | None = None
    program_id: Id | None = None
    function: Function | None = None
    memo: str = Field("", max_length=200)


class RulePatchIn(InputSchema):
    version: Version
    name: str | None = Field(None, min_length=1, max_length=100)
    account_id: Id | None = None
    priority: int | None = Field(None, ge=0, le=1_000_000)
    is_active: bool | None = None
    bank_account_id: Id | None = None
    payee_contains: str | None = Field(None, max_length=100)
    memo_contains: str | None = Field(None, max_length=100)
    direction: Direction | None = None
    amount_min: Money | None = None
    amount_max: Money | None = None
    fund_id: Id | None = None
    program_id: Id | None = None
    function: Function | None = None
    memo: str | None = Field(None, max_length=200)
