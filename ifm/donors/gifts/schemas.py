"""API schemas of donations and their soft credits."""

from __future__ import annotations

from datetime import date as date_type
from datetime import datetime
from typing import Any

from ninja import Field, Schema

from ifm.core.api import InputSchema
from ifm.core.api_types import ApiDate, Id, Money, Version
from ifm.donors.models import DonationStatus, Method
from ifm.donors.schemas import Amount, money


class SoftCreditIn(InputSchema):
    donor_id: Id
    amount: Amount | None = Field(None, description="Defaults to the whole gift.")


# The attribute the donation list prefetches soft credits into.
SOFT_CREDIT_LIST = "soft_credit_list"


class SoftCreditOut(Schema):
    donor_id: int
    amount: str

    @staticmethod
    def resolve_amount(obj: Any) -> str | None:
        return money(obj.amount)


class DonationIn(InputSchema):
    donor_id: Id
    amount: Amount
    date: ApiDate
    method: Method
    fund_id: Id
    check_number: str = Field("", max_length=30)
    description: str = Field("", max_length=2000, description="What was given (in-kind, stock).")
    goods_services_description: str = Field("", max_length=2000)
    goods_services_value: Money = "0.00"
    campaign_id: Id | None = None
    appeal_id: Id | None = None
    designation: str = Field("", max_length=500)
    anonymous: bool = False
    notes: str = Field("", max_length=5000)
    soft_credits: list[SoftCreditIn] = Field([], max_length=20)
    pledge_id: Id | None = None
    pledge_overpayment: bool = Field(
        False,
        description=(
            "The gift is more than the pledge still owes, and that is meant; without it such a "
            "gift is refused (422 on `amount`)."
        ),
    )
    recurring_id: Id | None = None
    batch_id: Id | None = Field(None, description="An open gift batch: the gift posts with it.")
    deposit_account_id: Id | None = Field(
        None, description="The asset account debited (default: undeposited funds / in-kind)."
    )


class DonationPatchIn(InputSchema):
    """A change of a donation: only the fields sent change. `null` clears the campaign, appeal,
    deposit account or pledge; on the other fields it means unchanged."""

    version: Version
    amount: Amount | None = None
    date: ApiDate | None = None
    method: Method | None = None
    fund_id: Id | None = None
    check_number: str | None = Field(None, max_length=30)
    description: str | None = Field(None, max_length=2000)
    goods_services_description: str | None = Field(None, max_length=2000)
    goods_services_value: Money | None = None
    campaign_id: Id | None = None
    appeal_id: Id | None = None
    designation: str | None = Field(None, max_length=500)
    anonymous: bool | None = None
    notes: str | None = Field(None, max_length=5000)
    deposit_account_id: Id | None = None
    pledge_id: Id | None = Field(None, description="A pledge of the same donor; null takes it off.")
    pledge_overpayment: bool | None = None


class DonationOut(Schema):
    id: int
    reference: str
    donor_id: int
    donor_name: str
    date: date_type
    amount: str
    deductible_amount: str
    method: Method
    check_number: str
    description: str
    fund_id: int
    campaign_id: int | None
    appeal_id: int | None
    designation: str
    goods_services_description: str
    goods_services_value: str
    anonymous: bool
    notes: str
    status: DonationStatus
    pledge_id: int | None
    pledge_overpayment: bool
    recurring_id: int | None
    batch_id: int | None
    deposit_account_id: int | None
    journal_entry_id: int | None
    soft_credits: list[SoftCreditOut]
    void_reason: str
    voided_at: datetime | None
    version: int
    created_at: datetime

    @staticmethod
    def resolve_donor_name(obj: Any) -> str:
        return obj.donor.name

    @staticmethod
    def resolve_amount(obj: Any) -> str | None:
        return money(obj.amount)

    @staticmethod
    def resolve_deductible_amount(obj: Any) -> str | None:
        return money(obj.deductible_amount)

    @staticmethod
    def resolve_goods_services_value(obj: Any) -> str | None:
        return money(obj.goods_services_value)

    @staticmethod
    def resolve_soft_credits(obj: Any) -> list[Any]:
        rows = vars(obj).get(SOFT_CREDIT_LIST)  # prefetched as a list by the list endpoint
        return list(obj.soft_credits.all()) if rows is None else rows
