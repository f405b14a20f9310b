"""Donors and donations as CSV (streamed) or XLSX, with the filters of the list they come from.

Cells that a spreadsheet would run as a formula (=, +, -, @, tab, carriage return first) are
prefixed with a quote. Callers pass querysets built by the selectors (donor_search,
donation_list) with the current filters.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from decimal import Decimal
from functools import partial
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse

from ifm.donors.models import Donation, Donor, DonorGivingSummary
from ifm.tenancy.context import org_context

XLSX_MAX_ROWS = 1_048_575
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
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
DONOR_DATES = (22, 23)
DONOR_MONEY = (24, 25)

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
DONATION_DATES = (1,)
DONATION_MONEY = (4, 5, 12)


def neutralize(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is prefixed with a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


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


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_response(
    header: list[str],
    rows: Callable[[], Iterable[list[Any]]],
    *,
    filename: str,
    scope: Callable[[], AbstractContextManager[Any]],
) -> StreamingHttpResponse:
    """Rows are read after the view returns, so the generator enters the tenant scope itself."""

    def lines() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff"  # lets spreadsheet programs read the file as UTF-8
        yield writer.writerow(header)
        with scope():
            for row in rows():
                yield writer.writerow(["" if c is None else c for c in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx_response(
    header: list[str],
    rows: Iterable[list[Any]],
    *,
    filename: str,
    title: str,
    dates: tuple[int, ...],
    money: tuple[int, ...],
) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet: Any = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    head = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        head.append(cell)
    sheet.append(head)
    for count, row in enumerate(rows):
        if count >= XLSX_MAX_ROWS:
            break
        cells = [WriteOnlyCell(sheet, value=v) for v in row]
        for i in dates:
            cells[i].number_format = "yyyy-mm-dd"
        for i in money:
            cells[i].number_format = "#,##0.00"
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def donors_response(
    donors: QuerySet[Donor], *, fmt: str, organization: Any, filename: str = "donors"
) -> HttpResponse | StreamingHttpResponse:
    qs = donors_for_export(donors)

    def rows() -> Iterator[list[Any]]:
        return (donor_row(d) for d in qs.iterator(chunk_size=2000))

    if fmt == "csv":
        return _csv_response(
            DONOR_HEADER, rows, filename=filename, scope=partial(org_context, organization)
        )
    return _xlsx_response(
        DONOR_HEADER,
        rows(),
        filename=filename,
        title="Donors",
        dates=DONOR_DATES,
        money=DONOR_MONEY,
    )


def donations_response(
    donations: QuerySet[Donation], *, fmt: str, organization: Any, filename: str = "donations"
) -> HttpResponse | StreamingHttpResponse:
    qs = donations_for_export(donations)

    def rows() -> Iterator[list[Any]]:
        return (donation_row(d) for d in qs.iterator(chunk_size=2000))

    if fmt == "csv":
        return _csv_response(
            DONATION_HEADER, rows, filename=filename, scope=partial(org_context, organization)
        )
    return _xlsx_response(
        DONATION_HEADER,
        rows(),
        filename=filename,
        title="Donations",
        dates=DONATION_DATES,
        money=DONATION_MONEY,
    )
