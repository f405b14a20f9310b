"""Donors and donations as CSV (streamed) or XLSX, with the filters of the list they come from.

Cells that a spreadsheet would run as a formula (=, +, -, @, tab, carriage return first) are
prefixed with a quote. Callers pass querysets built by the selectors (donor_search,
donation_list) with the current filters.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from functools import partial
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse

from ifm.core import exports
from ifm.core.exports import neutralize
from ifm.core.org_context import org_context
from ifm.donors.models import Donation, Donor, DonorGivingSummary

FORMATS = ("csv", "xlsx")
ZERO = Decimal("0.00")

DONOR_HEADER = [
    "Donor id",
    "Kind",
    "Name",
    "First name",
    "Last name",
    "Organization name",
    "Salutation",
    "Email",
    "Phone",
    "Address line 1",
    "Address line 2",
    "City",
    "State",
    "Postal code",
    "Country",
    "Household",
    "No email",
    "No mail",
    "No phone",
    "Gives anonymously",
    "Deceased",
    "Active",
    "First gift",
    "Last gift",
    "Largest gift",
    "Lifetime total",
    "Gifts",
]
# Columns (0-based) holding dates and money, for the XLSX number formats.

DONATION_HEADER = [
    "Reference",
    "Date",
    "Donor id",
    "Donor",
    "Amount",
    "Deductible amount",
    "Method",
    "Check number",
    "Fund",
    "Campaign",
    "Appeal",
    "Designation",
    "Goods or services value",
    "Goods or services description",
    "Description",
    "Anonymous",
    "Status",
    "Journal entry",
]


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def donor_row(donor: Donor) -> list[Any]:
    try:
        summary: DonorGivingSummary | None = donor.giving_summary
    except DonorGivingSummary.DoesNotExist:
        summary = None
    cells = [
        donor.reference,
        donor.get_kind_display(),
        donor.name,
        donor.first_name,
        donor.last_name,
        donor.organization_name,
        donor.salutation,
        donor.email,
        donor.phone,
        donor.address_line1,
        donor.address_line2,
        donor.city,
        donor.state,
        donor.postal_code,
        donor.country,
        donor.household.name if donor.household else "",
        _yes(donor.no_email),
        _yes(donor.no_mail),
        _yes(donor.no_phone),
        _yes(donor.anonymous),
        _yes(donor.is_deceased),
        _yes(donor.is_active),
        summary.first_gift_date if summary else None,
        summary.last_gift_date if summary else None,
        summary.largest_gift if summary else ZERO,
        summary.lifetime_total if summary else ZERO,
        summary.gift_count if summary else 0,
    ]
    return [neutralize(c) for c in cells]


def donation_row(donation: Donation) -> list[Any]:
    cells = [
        donation.reference,
        donation.date,
        donation.donor.reference,
        donation.donor.name,
        donation.amount,
        donation.deductible_amount,
        donation.get_method_display(),
        donation.check_number,
        donation.fund.code,
        donation.campaign.name if donation.campaign else "",
        donation.appeal.name if donation.appeal else "",
        donation.designation,
        donation.goods_services_value,
        donation.goods_services_description,
        donation.description,
        _yes(donation.anonymous),
        donation.get_status_display(),
        donation.journal_entry.number if donation.journal_entry else "",
    ]
    return [neutralize(c) for c in cells]


def donors_for_export(qs: QuerySet[Donor]) -> QuerySet[Donor]:
    return qs.select_related("household", "giving_summary")


def donations_for_export(qs: QuerySet[Donation]) -> QuerySet[Donation]:
    return qs.select_related("donor", "fund", "campaign", "appeal", "journal_entry")


def donors_response(
    donors: QuerySet[Donor], *, fmt: str, organization: Any, filename: str = "donors"
) -> HttpResponse | StreamingHttpResponse:
    qs = donors_for_export(donors)

    def rows() -> Iterator[list[Any]]:
        return (donor_row(d) for d in qs.iterator(chunk_size=2000))

    if fmt == "csv":
        return exports.csv_response(
            DONOR_HEADER, rows, filename=filename, scope=partial(org_context, organization)
        )
    return exports.xlsx_response(DONOR_HEADER, rows(), filename=filename, title="Donors")


def donations_response(
    donations: QuerySet[Donation], *, fmt: str, organization: Any, filename: str = "donations"
) -> HttpResponse | StreamingHttpResponse:
    qs = donations_for_export(donations)

    def rows() -> Iterator[list[Any]]:
        return (donation_row(d) for d in qs.iterator(chunk_size=2000))

    if fmt == "csv":
        return exports.csv_response(
            DONATION_HEADER, rows, filename=filename, scope=partial(org_context, organization)
        )
    return exports.xlsx_response(DONATION_HEADER, rows(), filename=filename, title="Donations")
