"""Input and output shapes of /api/v1/hours. Hours cross the API as decimal strings ("2.50")."""

from __future__ import annotations

from datetime import date as date_type
from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema

from ifm.core.api import InputSchema
from ifm.core.api_types import ApiDate, Id, Version
from ifm.volunteers.models import HoursSource, HoursStatus

# 0 to 24 with at most two decimals; the service also refuses 0 and anything above 24.
HOURS_PATTERN = r"^([0-9]|1[0-9]|2[0-4])(\.[0-9]{1,2})?$"
Hours = Annotated[
    str,
    Field(
        pattern=HOURS_PATTERN,
        max_length=5,
        description='Hours given on the day, above 0 and at most 24, such as "2.50".',
        examples=["2.50"],
    ),
]


class HoursOut(Schema):
    id: int
    volunteer_id: int
    volunteer_name: str
    opportunity_id: int | None
    signup_id: int | None
    date: date_type
    hours: str = Field(..., description="Decimal string.")
    description: str
    source: HoursSource
    status: HoursStatus
    rejection_reason: str
    logged_by_id: int | None
    reviewed_by_id: int | None
    reviewed_at: datetime | None
    created_at: datetime
    version: int

    @staticmethod
    def resolve_hours(obj: Any) -> str:
        return f"{obj.hours:.2f}"

    @staticmethod
    def resolve_volunteer_name(obj: Any) -> str:
        return str(obj.volunteer.name)


class HoursIn(InputSchema):
    volunteer_id: Id
    date: ApiDate
    hours: Hours
    description: str = Field("", max_length=500)
    opportunity_id: Id | None = None
    shift_id: Id | None = Field(None, description="The shift worked; it sets the opportunity.")


class HoursPatchIn(InputSchema):
    version: Version
    date: ApiDate | None = None
    hours: Hours | None = None
    description: str | None = Field(None, max_length=500)
    opportunity_id: Id | None = Field(None, description="null clears it.")


class HoursRejectIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=500)


class HoursApproveManyIn(InputSchema):
    ids: list[Id] = Field(..., min_length=1, max_length=500)
