"""Input and output shapes of the members API."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from ifm.accounts.schemas import UserOut
from ifm.core.api import InputSchema
from ifm.core.api_types import Version
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
