"""Input and output shapes of the opportunity, shift and sign-up API. Times cross the API as
ISO 8601; a time without an offset is the organization's clock."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, model_validator
from pydantic_core import PydanticCustomError

from ifm.core.api import InputSchema
from ifm.core.api_types import ApiDate, Id
from ifm.volunteers.shifts.selectors import spots_left
from ifm.volunteers.shifts.services import MAX_CAPACITY

EARLIEST_YEAR, LATEST_YEAR = 2000, 2199


def _sane_year(value: datetime) -> datetime:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise PydanticCustomError(
            "datetime_range", f"The time must be from {EARLIEST_YEAR} to {LATEST_YEAR}."
        )
    return value


ShiftTime = Annotated[
    datetime,
    AfterValidator(_sane_year),
    Field(
        description="ISO 8601, such as 2031-10-25T09:00:00; without an offset it is the "
        "organization's time zone."
    ),
]
Capacity = Annotated[int, Field(ge=1, le=MAX_CAPACITY, description="Places.")]
ShortText = Annotated[str, Field(max_length=200)]


# --- Opportunities -----------------------------------------------------------------------------


class OpportunityOut(Schema):
    id: int
    title: str
    description: str
    program_id: int | None
    location: str
    coordinator_id: int | None
    qualification_type_ids: list[int] = Field(
        ..., description="Qualifications a volunteer must hold to be confirmed."
    )
    minimum_age: int | None
    is_public: bool
    is_archived: bool
    upcoming_shifts: int = Field(0, description="Shifts not cancelled and not over.")
    version: int
    created_at: datetime

    @staticmethod
    def resolve_qualification_type_ids(obj: Any) -> list[int]:
        return sorted(kind.pk for kind in obj.required_qualifications.all())

    @staticmethod
    def resolve_upcoming_shifts(obj: Any) -> int:
        return int(getattr(obj, "upcoming_shifts", 0) or 0)


class OpportunityIn(InputSchema):
    title: ShortText
    description: Annotated[str, Field(max_length=10_000)] = ""
    program_id: Id | None = None
    location: ShortText = ""
    coordinator_id: Id | None = Field(None, description="A member of the organization (user id).")
    qualification_type_ids: Annotated[list[Id], Field(max_length=50)] = []
    minimum_age: Annotated[int, Field(ge=1, le=120)] | None = None
    is_public: bool = Field(True, description="Listed on the public sign-up page.")


# --- Shifts ------------------------------------------------------------------------------------


class RoleIn(InputSchema):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    capacity: Capacity


class RoleOut(Schema):
    id: int
    name: str
    capacity: int


class WeeklyIn(InputSchema):
    weekdays: Annotated[
        list[Annotated[int, Field(ge=1, le=7)]], Field(min_length=1, max_length=7)
    ] = Field(..., description="ISO weekdays: Monday 1 to Sunday 7.")
    start_time: time = Field(..., description="On the organization's clock, such as 09:00.")
    end_time: time
    first_date: ApiDate
    until: ApiDate = Field(..., description="The last date (included). At most 500 shifts.")


class ShiftIn(InputSchema):
    """A one-off shift (`starts_at`, `ends_at`) or a weekly series (`weekly`), not both."""

    opportunity_id: Id
    capacity: Capacity
    starts_at: ShiftTime | None = None
    ends_at: ShiftTime | None = None
    weekly: WeeklyIn | None = None
    notes: Annotated[str, Field(max_length=500)] = ""
    roles: Annotated[list[RoleIn], Field(max_length=20)] = Field(
        [], description="Roles within the shift, each with its own places."
    )

    @model_validator(mode="after")
    def _one_or_the_other(self) -> ShiftIn:
        if self.weekly is None and (self.starts_at is None or self.ends_at is None):
            raise ValueError("Give starts_at and ends_at, or a weekly pattern.")
        if self.weekly is not None and (self.starts_at or self.ends_at):
            raise ValueError("Give starts_at and ends_at, or a weekly pattern, not both.")
        return self


class ShiftOut(Schema):
    id: int
    opportunity_id: int
    opportunity: str
    series_id: int | None
    starts_at: datetime
    ends_at: datetime
    capacity: int
    confirmed: int
    waitlisted: int
    spots_left: int
    notes: str
    is_cancelled: bool
    version: int

    @staticmethod
    def resolve_opportunity(obj: Any) -> str:
        return str(obj.opportunity.title)

    @staticmethod
    def resolve_confirmed(obj: Any) -> int:
        return int(getattr(obj, "confirmed_count", 0) or 0)

    @staticmethod
    def resolve_waitlisted(obj: Any) -> int:
        return int(getattr(obj, "waitlisted_count", 0) or 0)

    @staticmethod
    def resolve_spots_left(obj: Any) -> int:
        return spots_left(obj)


class ShiftsMadeOut(Schema):
    id: int = Field(..., description="The first shift made.")
    series_id: int | None = Field(None, description="The weekly series, when one was made.")
    count: int
    shifts: list[ShiftOut]


# --- Sign-ups ----------------------------------------------------------------------------------


class SignUpIn(InputSchema):
    volunteer_id: Id
    role_id: Id | None = Field(None, description="Required when the shift has roles.")


class SignUpOut(Schema):
    id: int
    shift_id: int
    volunteer_id: int
    role_id: int | None
    status: Literal["confirmed", "waitlisted", "cancelled"]
    signed_up_at: datetime
    checked_in_at: datetime | None
    checked_out_at: datetime | None


class PlacedOut(Schema):
    id: int
    status: Literal["confirmed", "waitlisted"]
    warnings: list[str] = Field([], description="Such as an overlapping waitlisted shift.")


class CancelledOut(Schema):
    id: int
    status: Literal["cancelled"]
    promoted: list[int] = Field(
        [], description="Sign-ups confirmed from the waitlist in its place."
    )


class CheckedOutOut(SignUpOut):
    hours: str | None = Field(None, description="Hours logged, waiting for approval.")
