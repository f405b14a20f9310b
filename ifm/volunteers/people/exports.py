"""Volunteers as CSV (streamed) or XLSX, with the filters of the list they come from."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import partial
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse

from ifm.core import exports
from ifm.core.org_context import org_context
from ifm.volunteers.models import Volunteer

FORMATS = ("csv", "xlsx")

HEADER = [
    "Volunteer id",
    "First name",
    "Last name",
    "Email",
    "Phone",
    "Address line 1",
    "Address line 2",
    "City",
    "State",
    "Postal code",
    "Country",
    "Status",
    "Date of birth",
    "Under 18",
    "Guardian",
    "Guardian consent",
    "Emergency contact",
    "Emergency phone",
    "Skills",
    "Interests",
    "Availability",
    "Donor id",
    "Added",
]


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def volunteer_row(v: Volunteer, today: date) -> list[Any]:
    return [
        v.pk,
        v.first_name,
        v.last_name,
        v.email,
        v.phone,
        v.address_line1,
        v.address_line2,
        v.city,
        v.state,
        v.postal_code,
        v.country,
        v.get_status_display(),
        v.date_of_birth,
        _yes(v.is_minor(today)),
        v.guardian_name,
        _yes(v.guardian_consent_at is not None),
        v.emergency_contact_name,
        v.emergency_contact_phone,
        v.skills,
        v.interests,
        v.availability,
        v.donor_id or "",
        v.created_at.date(),
    ]


def volunteers_response(
    volunteers: QuerySet[Volunteer],
    *,
    fmt: str,
    organization: Any,
    today: date,
    filename: str = "volunteers",
) -> HttpResponse | StreamingHttpResponse:
    def rows() -> Iterator[list[Any]]:
        return (volunteer_row(v, today) for v in volunteers.iterator(chunk_size=2000))

    if fmt == "csv":
        return exports.csv_response(
            HEADER, rows, filename=filename, scope=partial(org_context, organization)
        )
    return exports.xlsx_response(HEADER, rows(), filename=filename, title="Volunteers")
