"""Who may be confirmed on a shift: the checks the sign-up service runs, each with a message
that says what is missing."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Q

from ifm.volunteers.models import (
    OpportunityQualification,
    Qualification,
    Shift,
    SignUp,
    SignUpStatus,
    Volunteer,
    VolunteerStatus,
)
from ifm.volunteers.models.people import ADULT_AGE


def shift_day(shift: Shift) -> date:
    """The shift's date in the organization's time zone (qualifications are checked on it)."""
    return shift.starts_at.astimezone(ZoneInfo(shift.organization.time_zone)).date()


def missing_qualifications(volunteer: Volunteer, shift: Shift, day: date) -> list[str]:
    """Names of the qualifications the shift's opportunity requires that the volunteer does
    not hold on `day` (issued on or before it, not expired before it)."""
    required = dict(
        OpportunityQualification.objects.filter(opportunity_id=shift.opportunity_id).values_list(
            "qualification_type_id", "qualification_type__name"
        )
    )
    if not required:
        return []
    held = set(
        Qualification.objects.filter(
            volunteer_id=volunteer.pk, type_id__in=list(required), issued_on__lte=day
        )
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
        .values_list("type_id", flat=True)
    )
    return sorted(name for type_id, name in required.items() if type_id not in held)


def confirmation_problems(volunteer: Volunteer, shift: Shift) -> list[str]:
    """Why the volunteer cannot be confirmed on the shift; empty when they can."""
    problems: list[str] = []
    day = shift_day(shift)
    if volunteer.status == VolunteerStatus.INACTIVE:
        problems.append(f"{volunteer.name} is inactive: make them active first.")
    minimum = shift.opportunity.minimum_age
    age = volunteer.age(day)
    if minimum and age is None:
        problems.append(
            f"{shift.opportunity.title} is for volunteers aged {minimum} or over: "
            f"add {volunteer.name}'s date of birth."
        )
    elif minimum and age is not None and age < minimum:
        problems.append(
            f"{shift.opportunity.title} is for volunteers aged {minimum} or over; "
            f"{volunteer.name} will be {age} on {day:%Y-%m-%d}."
        )
    if age is not None and age < ADULT_AGE and volunteer.guardian_consent_at is None:
        problems.append(
            f"{volunteer.name} is under {ADULT_AGE}: record a parent's or guardian's consent first."
        )
    missing = missing_qualifications(volunteer, shift, day)
    if missing:
        problems.append(
            f"{volunteer.name} needs a current {', '.join(missing)} on {day:%Y-%m-%d} "
            "to be confirmed on this shift."
        )
    return problems


def overlapping(
    volunteer: Volunteer, starts_at: datetime, ends_at: datetime, *, exclude_shift: int
):
    """The volunteer's other sign-ups, not cancelled, whose shifts overlap the given times."""
    return (
        SignUp.objects.filter(
            volunteer_id=volunteer.pk,
            shift__starts_at__lt=ends_at,
            shift__ends_at__gt=starts_at,
            shift__is_cancelled=False,
        )
        .exclude(status=SignUpStatus.CANCELLED)
        .exclude(shift_id=exclude_shift)
        .select_related("shift__opportunity")
    )
