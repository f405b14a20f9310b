"""Input and output shapes of the members and organization settings API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from ifm.accounts.schemas import UserOut
from ifm.core.api import InputSchema
from ifm.core.api_types import Version
from ifm.tenancy import modules
from ifm.tenancy.roles import Role


class MemberOut(Schema):
    id: int
    user: UserOut
    role: Role
    is_active: bool
    has_2fa: bool = False
    version: int
    created_at: datetime
    updated_at: datetime


class MemberPatchIn(InputSchema):
    role: Role | None = None
    is_active: bool | None = None
    version: Version


class InvitationIn(InputSchema):
    email: str = Field(..., min_length=3, max_length=254)
    role: Role


class InvitationOut(Schema):
    id: int
    email: str
    role: Role
    status: str
    created_at: datetime
    expires_at: datetime


class UnlockOut(Schema):
    member_id: int
    was_locked_out: bool
    locked_out: bool
    attempt_records_cleared: int


class OrganizationSettingsOut(Schema):
    slug: str
    name: str
    legal_name: str
    ein: str
    address_line1: str
    address_line2: str
    city: str
    state: str
    postal_code: str
    country: str
    phone: str
    website: str
    currency: str = Field(..., description="ISO 4217 code.")
    fiscal_year_start_month: int
    time_zone: str = Field(..., description="IANA time zone, for example America/Chicago.")
    require_2fa_for_admin_finance: bool
    enabled_modules: list[str] = Field(
        ...,
        description="Keys of the modules the organization uses (read-only: IFM platform "
        "staff set them). A module not listed answers 404 `module-not-enabled`.",
    )
    version: int
    updated_at: datetime

    @staticmethod
    def resolve_enabled_modules(obj: Any) -> list[str]:
        return [m.key for m, enabled in modules.module_states(obj) if enabled]


class OrganizationSettingsIn(InputSchema):
    """Only the fields sent change; `version` is the one read (a stale one is a 409)."""

    version: Version
    name: str | None = Field(None, min_length=1, max_length=200)
    legal_name: str | None = Field(None, max_length=200)
    ein: str | None = Field(None, max_length=10)
    address_line1: str | None = Field(None, max_length=200)
    address_line2: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=100)
    state: str | None = Field(None, max_length=50)
    postal_code: str | None = Field(None, max_length=20)
    country: str | None = Field(None, min_length=2, max_length=2)
    phone: str | None = Field(None, max_length=40)
    website: str | None = Field(None, max_length=200)
    currency: str | None = Field(None, min_length=3, max_length=3, description="ISO 4217 code.")
    fiscal_year_start_month: int | None = Field(None, ge=1, le=12)
    time_zone: str | None = Field(None, min_length=1, max_length=64)
    require_2fa_for_admin_finance: bool | None = None
