"""Input and output shapes of the expenses API. Amounts cross the API as decimal strings."""

from __future__ import annotations

from datetime import date as date_type
from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from ifm.accounts.schemas import UserOut
from ifm.core.api import InputSchema
from ifm.core.api_types import ApiDate, Id, Money, PositiveMoney, Version
from ifm.expenses.models import Function, Kind, Status

# The attributes the API's reads prefetch an expense's approvals and receipts into.
APPROVAL_LIST = "approval_list"
RECEIPT_LIST = "receipt_list"

Amount = PositiveMoney


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


class ApprovalOut(Schema):
    step: int
    approver: UserOut
    decided_at: datetime


class ReceiptOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class ExpenseOut(Schema):
    id: int
    reference: str
    kind: Kind
    payee: str
    date: date_type
    amount: str | None = Field(..., description="Decimal string; null while a draft lacks it.")
    expense_category_id: int | None = Field(
        ..., description="The category chosen by its plain name; null for Other (an account)."
    )
    category_id: int | None = Field(..., description="The ledger expense account posted.")
    fund_id: int | None
    program_id: int | None
    function: Function | None = Field(
        ..., description="Null while a draft has no category to take its default from."
    )
    description: str
    status: Status
    submitted_by: UserOut
    created_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    rejected_reason: str
    approvals: list[ApprovalOut]
    receipts: list[ReceiptOut]
    liability_entry_id: int | None
    payment_entry_id: int | None
    paid_from_account_id: int | None
    paid_on: date_type | None
    paid_at: datetime | None
    check_number: str
    version: int
    updated_at: datetime

    @staticmethod
    def resolve_amount(obj: Any) -> str | None:
        return money(obj.amount)

    @staticmethod
    def resolve_function(obj: Any) -> str | None:
        return obj.function or None

    @staticmethod
    def resolve_paid_from_account_id(obj: Any) -> int | None:
        return obj.paid_from_id

    @staticmethod
    def resolve_approvals(obj: Any) -> list[Any]:
        rows = vars(obj).get(APPROVAL_LIST)  # prefetched as a list by the API's reads
        return list(obj.approvals.all()) if rows is None else rows

    @staticmethod
    def resolve_receipts(obj: Any) -> list[Any]:
        rows = vars(obj).get(RECEIPT_LIST)
        return list(obj.receipts.all()) if rows is None else rows


class ExpenseIn(InputSchema):
    kind: Kind = Kind.CLAIM
    payee: str = Field(..., min_length=1, max_length=200)
    date: ApiDate
    function: Function | None = Field(
        None, description="Left out, the category's default function applies."
    )
    amount: Amount | None = None
    expense_category_id: Id | None = Field(
        None, description="A category by its plain name: it sets the account (and function)."
    )
    category_id: Id | None = Field(
        None, description="Other: an active expense account (not a header), with no category."
    )
    fund_id: Id | None = None
    program_id: Id | None = None
    description: str = Field("", max_length=2000)


class ExpensePatchIn(InputSchema):
    version: Version
    kind: Kind | None = None
    payee: str | None = Field(None, min_length=1, max_length=200)
    date: ApiDate | None = None
    function: Function | None = None
    amount: Amount | None = Field(None, description="null clears it (drafts only).")
    expense_category_id: Id | None = None
    category_id: Id | None = None
    fund_id: Id | None = None
    program_id: Id | None = None
    description: str | None = Field(None, max_length=2000)


class RejectIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=2000)


class PayIn(InputSchema):
    paid_from_account_id: Id = Field(..., description="An active cash or bank account.")
    date: ApiDate
    check_number: str = Field("", max_length=20, description="The check's number, if by check.")


class BulkPayRowIn(InputSchema):
    expense_id: Id
    check_number: str = Field("", max_length=20)


class BulkPayIn(InputSchema):
    paid_from_account_id: Id = Field(..., description="An active cash or bank account.")
    date: ApiDate
    first_check_number: str = Field(
        "",
        max_length=18,
        description="Rows without a check number get this one, then the next ones, in order.",
    )
    payments: list[BulkPayRowIn] = Field(..., min_length=1, max_length=200)


class SettingsOut(Schema):
    two_step_threshold: str
    version: int
    updated_at: datetime | None

    @staticmethod
    def resolve_two_step_threshold(obj: Any) -> str:
        return f"{obj.two_step_threshold:.2f}"

    @staticmethod
    def resolve_updated_at(obj: Any) -> datetime | None:
        return obj.updated_at if obj.pk else None


class SettingsPatchIn(InputSchema):
    version: Version
    two_step_threshold: Money


class CategoryOut(Schema):
    id: int
    name: str
    account_id: int
    default_function: Function
    is_active: bool
    version: int
    updated_at: datetime


class CategoryIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    account_id: Id = Field(..., description="An active expense account (not a header).")
    default_function: Function
    is_active: bool = True


class CategoryPatchIn(InputSchema):
    version: Version
    name: str | None = Field(None, min_length=1, max_length=100)
    account_id: Id | None = None
    default_function: Function | None = None
    is_active: bool | None = None


class BulkApproveIn(InputSchema):
    expense_ids: list[Id] = Field(..., min_length=1, max_length=200)
