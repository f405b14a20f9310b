"""API shapes of accounts, funds and programs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from ifm.core.api import InputSchema
from ifm.core.api_types import Id, Version
from ifm.ledger.api_types import LedgerDate
from ifm.ledger.models import AccountType, Restriction


class AccountOut(Schema):
    id: int
    number: str
    name: str
    type: AccountType
    parent_id: int | None
    net_asset_class: str
    role: str
    description: str
    is_cash: bool = Field(
        ..., description="A cash or bank account: offered for deposits and payments."
    )
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
    is_cash: bool = Field(False, description="A cash or bank account (asset accounts only).")


class AccountPatchIn(InputSchema):
    version: Version
    number: str | None = Field(None, min_length=1, max_length=20)
    name: str | None = Field(None, min_length=1, max_length=200)
    parent_id: Id | None = Field(None, description="null makes the account top-level.")
    net_asset_class: str | None = Field(None, max_length=40)
    description: str | None = Field(None, max_length=500)
    is_cash: bool | None = None
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
