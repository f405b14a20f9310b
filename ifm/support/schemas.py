"""API schemas of support tickets."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from ifm.core.api import InputSchema
from ifm.support.models import Category, Priority, Status
from ifm.support.selectors import ticket_clocks


class ClockOut(Schema):
    due: datetime
    state: str = Field(..., description="met, breached, overdue, at_risk, ok or paused.")
    seconds_left: int = Field(..., description="Negative when overdue (or missed).")
    label: str


class TicketListOut(Schema):
    id: int
    number: int
    subject: str
    priority: Priority
    category: Category
    status: Status
    tier: int
    requester_email: str
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    first_response_due_at: datetime
    resolution_due_at: datetime


class MessageOut(Schema):
    id: int
    from_staff: bool
    author: str
    body: str
    created_at: datetime


class RatingOut(Schema):
    score: int
    comment: str
    created_at: datetime


class TicketOut(TicketListOut):
    description: str
    page_url: str
    browser: str
    request_id: str
    source: str
    first_response: ClockOut
    resolution: ClockOut
    replies: list[MessageOut]
    rating: RatingOut | None


class PlatformTicketOut(TicketListOut):
    organization: str = Field(..., description="The organization's slug.")
    assignee: str | None = Field(..., description="The assignee's email.")
    breached: bool = Field(..., description="A clock ran out (or was missed).")

    @staticmethod
    def resolve_organization(obj: Any) -> str:
        return str(obj.organization.slug)

    @staticmethod
    def resolve_assignee(obj: Any) -> str | None:
        return obj.assignee.email if obj.assignee else None

    @staticmethod
    def resolve_breached(obj: Any) -> bool:
        clocks = ticket_clocks(obj)
        return clocks.first_response.overdue or clocks.resolution.overdue


class TicketIn(InputSchema):
    subject: str = Field(..., max_length=200)
    description: str = Field(..., max_length=20_000)
    priority: Priority = Priority.MEDIUM
    category: Category = Category.QUESTION
    page_url: str = Field("", max_length=500)
    browser: str = Field("", max_length=300)
    request_id: str = Field("", max_length=64, description="The X-Request-ID of a failed call.")


class ReplyIn(InputSchema):
    body: str = Field(..., max_length=20_000)


class RatingIn(InputSchema):
    score: int = Field(..., ge=1, le=5, description="1 (poor) to 5 (excellent).")
    comment: str = Field("", max_length=2000)


class DayCount(Schema):
    date: date
    count: int


class ResponseTimes(Schema):
    count: int
    p50: float | None = Field(..., description="Minutes from opening to the first response.")
    p95: float | None


class Mean(Schema):
    average: float | None = Field(..., description="Mean of the 1-5 scores (null: none).")
    count: int
    total: int = Field(..., description="Sum of the scores.")


class Satisfaction(Mean):
    """The combined figure (every ticket rating and survey answer, each weighing the same),
    and each kind apart."""

    ratings: Mean = Field(..., description="Ratings of resolved tickets.")
    survey: Mean = Field(..., description="Answers to the in-app survey (dismissals excluded).")


class MetricsOut(Schema):
    start: date
    end: date
    tickets: int
    tickets_per_day: list[DayCount]
    average_per_day: float
    first_response_minutes: dict[str, ResponseTimes]
    breaches: int
    satisfaction: Satisfaction
    open_critical: int
