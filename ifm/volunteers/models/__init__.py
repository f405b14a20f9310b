"""Volunteer models, by topic: people and qualifications, opportunities and shifts, sign-ups and
hours, and the program's settings, messages and imports."""

from ifm.volunteers.models.people import (
    Qualification,
    QualificationType,
    Volunteer,
    VolunteerStatus,
)
from ifm.volunteers.models.program import (
    VolunteerImport,
    VolunteerMessage,
    VolunteerSettings,
)
from ifm.volunteers.models.shifts import (
    HoursEntry,
    HoursSource,
    HoursStatus,
    Opportunity,
    OpportunityQualification,
    Shift,
    ShiftRole,
    ShiftSeries,
    SignUp,
    SignUpSource,
    SignUpStatus,
)

__all__ = [
    "HoursEntry",
    "HoursSource",
    "HoursStatus",
    "Opportunity",
    "OpportunityQualification",
    "Qualification",
    "QualificationType",
    "Shift",
    "ShiftRole",
    "ShiftSeries",
    "SignUp",
    "SignUpSource",
    "SignUpStatus",
    "Volunteer",
    "VolunteerImport",
    "VolunteerMessage",
    "VolunteerSettings",
    "VolunteerStatus",
]
