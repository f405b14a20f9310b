"""API schemas of volunteers and qualifications."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from ifm.core.api import InputSchema
from ifm.core.api_types import ApiDate, Id, Version
from ifm.volunteers.models import VolunteerStatus
from ifm.volunteers.people import selectors


class VolunteerListOut(Schema):
    id: int
    name: str
    first_name: str
    last_name: str
    email: str
    phone: str
    status: VolunteerStatus
    donor_id: int | None


class VolunteerOut(VolunteerListOut):
    address_line1: str
    address_line2: str
    city: str
    state: str
    postal_code: str
    country: str
    emergency_contact_name: str
    emergency_contact_phone: str
    skills: str
    interests: str
    availability: str
    date_of_birth: date | None
    is_minor: bool = Field(..., description="Under 18 today, in the organization's time zone.")
    guardian_name: str
    guardian_email: str
    guardian_consent: bool
    guardian_consent_at: datetime | None
    email_opt_out: bool
    notes: str
    approved_hours: str = Field(..., description="The sum of the approved hours, as a string.")
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_is_minor(obj: Any) -> bool:
        return bool(obj.is_minor(selectors.org_today(obj.organization)))

    @staticmethod
    def resolve_guardian_consent(obj: Any) -> bool:
        return obj.guardian_consent_at is not None

    @staticmethod
    def resolve_approved_hours(obj: Any) -> str:
        return f"{selectors.approved_hours(obj):.2f}"


class VolunteerFields(InputSchema):
    last_name: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    address_line1: str | None = Field(None, max_length=200)
    address_line2: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=100)
    state: str | None = Field(None, max_length=50)
    postal_code: str | None = Field(None, max_length=20)
    country: str | None = Field(None, max_length=2)
    emergency_contact_name: str | None = Field(None, max_length=200)
    emergency_contact_phone: str | None = Field(None, max_length=40)
    skills: str | None = Field(None, max_length=2000)
    interests: str | None = Field(None, max_length=2000)
    availability: str | None = Field(None, max_length=2000)
    date_of_birth: ApiDate | None = None
    guardian_name: str | None = Field(None, max_length=200)
    guardian_email: str | None = Field(None, max_length=254)
    guardian_consent: bool | None = Field(
        None, description="A parent's or guardian's consent (needed under 18)."
    )
    status: VolunteerStatus | None = None
    email_opt_out: bool | None = None
    notes: str | None = Field(None, max_length=5000)


class VolunteerIn(VolunteerFields):
    first_name: str = Field(..., max_length=100)
    confirm_duplicate: bool = Field(
        False,
        description="Create the volunteer even though one with the same email, phone or name "
        "exists (an email already used is always refused).",
    )


class VolunteerPatchIn(VolunteerFields):
    version: Version
    first_name: str | None = Field(None, max_length=100)


class QualificationOut(Schema):
    id: int
    volunteer_id: int
    volunteer_name: str
    type_id: int
    type_name: str
    issued_on: date
    expires_on: date | None
    notes: str
    has_document: bool
    version: int

    @staticmethod
    def resolve_volunteer_name(obj: Any) -> str:
        return str(obj.volunteer.name)

    @staticmethod
    def resolve_type_name(obj: Any) -> str:
        return str(obj.type.name)

    @staticmethod
    def resolve_has_document(obj: Any) -> bool:
        return bool(obj.document)


class QualificationIn(InputSchema):
    volunteer_id: Id
    type_id: Id = Field(..., description="The qualification type (of this organization).")
    issued_on: ApiDate
    expires_on: ApiDate | None = Field(None, description="None: it does not expire.")
    notes: str = Field("", max_length=500)
