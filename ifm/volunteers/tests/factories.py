"""Rows for volunteer tests and the isolation suite: a volunteer, a qualification type and a
qualification, an opportunity with a shift (tomorrow, 9:00 to 12:00 UTC) and a role, a
sign-up, an hours entry, the settings, a message and an import."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from ifm.core.org_context import org_context
from ifm.tenancy.models import Organization
from ifm.volunteers.models import (
    HoursEntry,
    HoursSource,
    Opportunity,
    OpportunityQualification,
    Qualification,
    QualificationType,
    Shift,
    ShiftRole,
    ShiftSeries,
    SignUp,
    SignUpStatus,
    Volunteer,
    VolunteerImport,
    VolunteerMessage,
    VolunteerSettings,
    VolunteerStatus,
)

_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def volunteer(org: Organization, **fields: Any) -> Volunteer:
    n = _next()
    values: dict[str, Any] = {
        "first_name": "Vera",
        "last_name": f"Volunteer {n}",
        "email": f"vera{n}@{org.slug}.example",
        "status": VolunteerStatus.ACTIVE,
    }
    values.update(fields)
    with org_context(org):
        return Volunteer.objects.create(organization=org, **values)


def qualification_type(org: Organization, name: str = "") -> QualificationType:
    with org_context(org):
        return QualificationType.objects.create(
            organization=org, name=name or f"Signed waiver {_next()}", valid_months=12
        )


def qualification(
    org: Organization, holder: Volunteer | None = None, kind: QualificationType | None = None
) -> Qualification:
    holder = holder or volunteer(org)
    kind = kind or qualification_type(org)
    with org_context(org):
        return Qualification.objects.create(
            organization=org,
            volunteer=holder,
            type=kind,
            issued_on=date.today() - timedelta(days=30),
            expires_on=date.today() + timedelta(days=335),
        )


def qualification_with_document(org: Organization) -> Qualification:
    """A qualification with a (tiny) PDF document, so the document's page has a file to serve."""
    row = qualification(org)
    with org_context(org):
        row.document.save("card.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
        row.document_name = "card.pdf"
        row.document_type = "application/pdf"
        row.save()
    return row


def opportunity(org: Organization, **fields: Any) -> Opportunity:
    values: dict[str, Any] = {"title": f"Food pantry {_next()}", "location": "Main hall"}
    values.update(fields)
    with org_context(org):
        return Opportunity.objects.create(organization=org, **values)


def requires(org: Organization, opp: Opportunity, kind: QualificationType) -> None:
    with org_context(org):
        OpportunityQualification.objects.create(
            organization=org, opportunity=opp, qualification_type=kind
        )


def shift(
    org: Organization,
    opp: Opportunity | None = None,
    *,
    capacity: int = 5,
    starts_at: datetime | None = None,
    hours: int = 3,
) -> Shift:
    opp = opp or opportunity(org)
    if starts_at is None:
        tomorrow = timezone.now() + timedelta(days=1)
        starts_at = tomorrow.replace(hour=9, minute=0, second=0, microsecond=0)
    with org_context(org):
        return Shift.objects.create(
            organization=org,
            opportunity=opp,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            capacity=capacity,
        )


def shift_role(org: Organization, on: Shift | None = None, capacity: int = 2) -> ShiftRole:
    on = on or shift(org)
    with org_context(org):
        return ShiftRole.objects.create(
            organization=org, shift=on, name=f"Driver {_next()}", capacity=capacity
        )


def shift_series(org: Organization) -> ShiftSeries:
    opp = opportunity(org)
    with org_context(org):
        return ShiftSeries.objects.create(
            organization=org,
            opportunity=opp,
            weekdays="6",
            start_time=datetime(2026, 1, 1, 9).time(),
            end_time=datetime(2026, 1, 1, 12).time(),
            first_date=date.today(),
            until=date.today() + timedelta(days=60),
            capacity=10,
        )


def signup(org: Organization, on: Shift | None = None, who: Volunteer | None = None) -> SignUp:
    on = on or shift(org)
    who = who or volunteer(org)
    with org_context(org):
        return SignUp.objects.create(
            organization=org,
            shift=on,
            volunteer=who,
            status=SignUpStatus.CONFIRMED,
            confirmed_at=timezone.now(),
        )


def hours_entry(org: Organization, who: Volunteer | None = None, hours: str = "3") -> HoursEntry:
    who = who or volunteer(org)
    with org_context(org):
        return HoursEntry.objects.create(
            organization=org,
            volunteer=who,
            date=date.today(),
            hours=Decimal(hours),
            source=HoursSource.COORDINATOR,
        )


def settings_row(org: Organization) -> VolunteerSettings:
    with org_context(org):
        return VolunteerSettings.objects.get_or_create(organization=org)[0]


def message(org: Organization) -> VolunteerMessage:
    with org_context(org):
        return VolunteerMessage.objects.create(
            organization=org, subject="Saturday", body="See you at nine."
        )


def volunteer_import(org: Organization) -> VolunteerImport:
    with org_context(org):
        return VolunteerImport.objects.create(
            organization=org, file_name="volunteers.csv", data=b"First name\nAda\n"
        )


def opportunity_qualification(org: Organization) -> OpportunityQualification:
    opp = opportunity(org)
    kind = qualification_type(org)
    with org_context(org):
        return OpportunityQualification.objects.create(
            organization=org, opportunity=opp, qualification_type=kind
        )


MADE: dict[str, Callable[[Organization], Any]] = {
    "volunteer": volunteer,
    "qualificationtype": qualification_type,
    "qualification": qualification_with_document,
    "opportunity": opportunity,
    "opportunityqualification": opportunity_qualification,
    "shiftseries": shift_series,
    "shift": shift,
    "shiftrole": shift_role,
    "signup": signup,
    "hoursentry": hours_entry,
    "volunteersettings": settings_row,
    "volunteermessage": message,
    "volunteerimport": volunteer_import,
}
