"""API schemas of communications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django_tasks_db.models import DBTaskResult
from ninja import Field, Schema
from pydantic import StrictBool

from ifm.core.api import InputSchema
from ifm.core.api_types import Version
from ifm.support.comms.models import (
    ANNOUNCEMENT_MAX,
    BODY_MAX,
    MESSAGE_MAX,
    SUBJECT_MAX,
    AnnouncementLevel,
    SendStatus,
)


class TemplateOut(Schema):
    id: int
    key: str
    name: str
    description: str
    subject: str
    body: str
    service_notice: bool
    version: int
    updated_at: datetime


class TemplateIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=300)
    subject: str = Field(..., min_length=1, max_length=SUBJECT_MAX)
    body: str = Field(..., min_length=1, max_length=BODY_MAX)


class TemplateUpdateIn(TemplateIn):
    version: Version


class MessageSendIn(InputSchema):
    template: str = Field(..., min_length=1, max_length=50, description="The template's key.")
    audience: str = Field(
        ..., min_length=1, max_length=50, description="organizations, phase or wave."
    )
    values: list[str] = Field(
        ...,
        min_length=1,
        max_length=500,
        description="Organization slugs; or one phase slug; or one wave id.",
    )
    message: str = Field("", max_length=MESSAGE_MAX, description="The {{ message }} field.")


class ExampleOut(Schema):
    organization: str
    email: str
    subject: str
    body: str


class PreviewOut(Schema):
    audience: str
    organizations: list[str]
    recipients: int
    skipped: int
    to_send: int
    problems: list[str]
    example: ExampleOut | None


class SendOut(Schema):
    id: int
    template: str
    subject: str
    audience: str
    organizations: int
    sent_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    status: SendStatus
    job_id: str
    job_status: str | None = Field(None, description="The background job's state.")
    recipients: int
    sent: int
    skipped: int
    failed: int
    error: str

    @staticmethod
    def resolve_template(obj: Any) -> str:
        return str(obj.template_name)

    @staticmethod
    def resolve_audience(obj: Any) -> str:
        return str(obj.audience_label)

    @staticmethod
    def resolve_sent_by(obj: Any) -> str | None:
        return str(obj.sent_by) if obj.sent_by else None

    @staticmethod
    def resolve_recipients(obj: Any) -> int:
        return int(obj.total)

    @staticmethod
    def resolve_job_status(obj: Any) -> str | None:
        if not obj.job_id:
            return None
        job = DBTaskResult.objects.filter(pk=obj.job_id).only("status").first()
        return str(job.status) if job is not None else None


class AnnouncementOut(Schema):
    id: int
    message: str
    level: AnnouncementLevel
    starts_at: datetime
    ends_at: datetime
    organizations: list[str]


class AnnouncementIn(InputSchema):
    message: str = Field(..., min_length=1, max_length=ANNOUNCEMENT_MAX)
    level: AnnouncementLevel = AnnouncementLevel.INFO
    starts_at: datetime
    ends_at: datetime
    organizations: list[str] = Field(
        default_factory=list, max_length=500, description="Slugs; none: everyone."
    )


class PreferenceOut(Schema):
    announcements: bool


class PreferenceIn(InputSchema):
    # Strict: 0, 1 or "yes" is a 422, not silently a yes or a no.
    announcements: StrictBool
