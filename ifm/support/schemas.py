"""API schemas of support tickets."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from ifm.core.api import InputSchema
from ifm.support.bugs import bug_tickets
from ifm.support.models import BugStatus, Category, Priority, Severity, Status, Tier
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


class CannedReplyIn(InputSchema):
    title: str = Field(..., max_length=120)
    body: str = Field(
        ...,
        max_length=20_000,
        description="May name {first_name}, {ticket}, {subject}, {organization} and {agent}.",
    )
    category: Category | None = Field(None, description="Only for tickets of this category.")
    tier: Tier | None = Field(None, description="Only for tickets of this tier.")


class CannedReplyOut(Schema):
    id: int
    title: str
    body: str
    category: str
    tier: int | None
    created_at: datetime
    updated_at: datetime


class FilledReplyOut(Schema):
    title: str
    body: str = Field(..., description="The reply with the ticket's fields filled in.")


class TicketMergeIn(InputSchema):
    duplicate_id: int = Field(
        ..., ge=1, le=2**31 - 1, description="The duplicate (same organization), to close."
    )


class BugTicketOut(Schema):
    id: int
    number: int
    subject: str
    status: Status


class BugOut(Schema):
    id: int
    organization: str = Field(..., description="The organization's slug.")
    number: int
    title: str
    description: str
    severity: Severity
    status: BugStatus
    created_at: datetime
    fixed_at: datetime | None
    tickets: list[BugTicketOut]

    @staticmethod
    def resolve_organization(obj: Any) -> str:
        return str(obj.organization.slug)

    @staticmethod
    def resolve_tickets(obj: Any) -> list[Any]:
        return bug_tickets(obj)


class BugIn(InputSchema):
    title: str = Field(..., max_length=200)
    severity: Severity
    description: str = Field("", max_length=20_000)


class BugPatchIn(InputSchema):
    status: BugStatus | None = None
    severity: Severity | None = None


class BugCountsOut(Schema):
    critical: int
    high: int
    medium: int
    low: int


class AccessGrantIn(InputSchema):
    role: str = Field("viewer", max_length=32, description="The role in the organization.")
    hours: int = Field(4, ge=1, le=24)
    reason: str = Field("", max_length=500, description="Default: the ticket's reference.")


class AccessGrantOut(Schema):
    id: int = Field(..., description="The grant's id on this ticket (to revoke it).")
    user: str
    role: str
    reason: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    active: bool

    @staticmethod
    def resolve_user(obj: Any) -> str:
        return str(obj.grant.user.email)

    @staticmethod
    def resolve_role(obj: Any) -> str:
        return str(obj.grant.role)

    @staticmethod
    def resolve_reason(obj: Any) -> str:
        return str(obj.grant.reason)

    @staticmethod
    def resolve_created_at(obj: Any) -> datetime:
        return obj.grant.created_at

    @staticmethod
    def resolve_expires_at(obj: Any) -> datetime:
        return obj.grant.expires_at

    @staticmethod
    def resolve_revoked_at(obj: Any) -> datetime | None:
        return obj.grant.revoked_at

    @staticmethod
    def resolve_active(obj: Any) -> bool:
        return bool(obj.grant.is_active)
