"""API shapes of journal entries and their lines."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from ifm.core.api import InputSchema
from ifm.core.api_types import POSITIVE_MONEY_PATTERN, ZERO_MONEY_PATTERN, Id, Money
from ifm.ledger.api_types import LedgerDate, money


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
