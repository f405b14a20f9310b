"""API shapes of periods and fiscal years."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from ifm.core.api import InputSchema
from ifm.ledger.models import PeriodStatus


class PeriodOut(Schema):
    id: int
    fiscal_year_id: int
    name: str
    start_date: date
    end_date: date
    status: PeriodStatus
    closed_at: datetime | None
    closed_by_id: int | None


class FiscalYearOut(Schema):
    id: int
    name: str
    start_date: date
    end_date: date
    status: PeriodStatus
    closing_entry_id: int | None


class ReopenIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=500, description="Why it is reopened.")


class FiscalYearCloseOut(Schema):
    fiscal_year: FiscalYearOut
    closing_entry_id: int | None


class ClosePlanPeriodOut(Schema):
    id: int
    name: str
    start_date: date
    end_date: date
    entry_count: int


class ClosePlanOut(Schema):
    through_id: int
    through: str
    periods: list[ClosePlanPeriodOut] = Field(
        ..., description="The open periods up to and including this one, oldest first."
    )
    entry_count: int


class CloseThroughIn(InputSchema):
    expected_period_ids: list[int] | None = Field(
        None,
        max_length=1200,
        description=(
            "The period ids of the close plan that was confirmed: if the open periods are no "
            "longer those, nothing is closed (409)."
        ),
    )


class CloseThroughOut(Schema):
    closed: list[PeriodOut]
