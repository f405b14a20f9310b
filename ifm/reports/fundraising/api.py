"""/api/v1/reports: the fundraising reports as JSON (the same `Report` the pages draw), the
donors behind a figure (the pages' drill-down), and "save as donor list" for LYBUNT and SYBUNT."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import QueryDict
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.api import InputSchema, paginated
from ifm.core.api_types import EARLIEST_DATE, LATEST_DATE, Version
from ifm.donors.lists.api import SavedDonorListDetailOut, donor_list_or_404
from ifm.donors.lists.services import donor_list_create
from ifm.reports.fundraising import selectors, services
from ifm.reports.fundraising.drill import DrillError, drill_down
from ifm.reports.fundraising.forms import last_twelve_months
from ifm.reports.params import FROM, TO, OptionalDate, invalid, period
from ifm.reports.schemas import ReportOut, report_json
from ifm.tenancy.permissions import require_perm

router = Router(tags=["reports"])

PERM = "reports.fundraising"

Year = Annotated[
    int | None,
    Query(
        ge=EARLIEST_DATE.year + 1,
        le=LATEST_DATE.year,
        description="The year (this one by default); a fiscal year is named by its last year.",
    ),
]
Basis = Literal["calendar", "fiscal"]


def _year(request: OrgRequest, year: int | None, basis: str) -> int:
    return year or selectors.current_year(request.org, basis, timezone.localdate())


@router.get("/lybunt", response=ReportOut, summary="LYBUNT: gave last year, not this year")
def lybunt(request: OrgRequest, year: Year = None, basis: Basis = "calendar") -> Any:
    """Donors who gave in the year before `year` and nothing in `year` (calendar or fiscal
    years), with what they gave that year and in all; posted gifts only, never voided ones,
    soft credits not counted."""
    require_perm(request.access, PERM)
    y = _year(request, year, basis)
    return report_json(selectors.lapsed(request.org, kind="lybunt", year=y, basis=basis))


@router.get("/sybunt", response=ReportOut, summary="SYBUNT: gave some year, not this year")
def sybunt(request: OrgRequest, year: Year = None, basis: Basis = "calendar") -> Any:
    """Donors who gave in any year before `year` and nothing in `year` (LYBUNT donors are
    among them); posted gifts only, never voided ones, soft credits not counted."""
    require_perm(request.access, PERM)
    y = _year(request, year, basis)
    return report_json(selectors.lapsed(request.org, kind="sybunt", year=y, basis=basis))


class SaveListIn(InputSchema):
    name: str = Field(
        "", max_length=200, description="The list's name (by default, e.g. LYBUNT 2026)."
    )
    description: str = Field("", max_length=2000)
    year: int | None = Field(None, ge=EARLIEST_DATE.year + 1, le=LATEST_DATE.year)
    basis: Basis = "calendar"


def _save(request: OrgRequest, kind: str, payload: SaveListIn) -> Any:
    require_perm(request.access, PERM)
    y = _year(request, payload.year, payload.basis)
    ids = selectors.lapsed_donor_ids(request.org, kind=kind, year=y, basis=payload.basis)
    saved = donor_list_create(
        **service_args(request),
        name=payload.name or f"{kind.upper()} {y}",
        description=payload.description,
        donor_ids=ids,
        criteria={"report": kind, "year": y, "basis": payload.basis},
    )
    return Status(201, donor_list_or_404(saved.pk))


@router.post(
    "/lybunt/save-list",
    response={201: SavedDonorListDetailOut},
    summary="Save the LYBUNT donors as a donor list",
)
def lybunt_save_list(request: OrgRequest, payload: SaveListIn) -> Any:
    """A donor list of exactly the donors of the LYBUNT report for `year` and `basis`
    (needs the permission to edit donors)."""
    return _save(request, "lybunt", payload)


@router.post(
    "/sybunt/save-list",
    response={201: SavedDonorListDetailOut},
    summary="Save the SYBUNT donors as a donor list",
)
def sybunt_save_list(request: OrgRequest, payload: SaveListIn) -> Any:
    """A donor list of exactly the donors of the SYBUNT report (needs donors.edit)."""
    return _save(request, "sybunt", payload)


@router.get("/retention", response=ReportOut, summary="Donor retention over the years")
def retention(
    request: OrgRequest,
    years: Annotated[int, Query(ge=2, le=10)] = 5,
    year: Year = None,
    basis: Basis = "calendar",
) -> Any:
    """For each of `years` years ending with `year`: donors, new, retained, recaptured, lapsed
    and the retention rate (retained ÷ donors of the year before), as the Fundraising
    Effectiveness Project defines them."""
    require_perm(request.access, PERM)
    y = _year(request, year, basis)
    return report_json(selectors.retention(request.org, year=y, years=years, basis=basis))


@router.get("/gift-range", response=ReportOut, summary="Gift range (pyramid)")
def gift_range(
    request: OrgRequest,
    date_from: OptionalDate = FROM,
    date_to: OptionalDate = TO,
    ranges: Annotated[
        str, Query(max_length=300, description="Range starts, such as 100,250,1000,5000.")
    ] = "",
) -> Any:
    """Donors by their total giving from `from` to `to` (the fiscal year to date by default),
    in ranges starting at each amount of `ranges`."""
    require_perm(request.access, PERM)
    start, end = period(request, date_from, date_to)
    try:
        lows = selectors.ranges_asked(ranges)
    except ValueError as error:
        raise invalid("ranges", str(error)) from None
    return report_json(selectors.gift_range(request.org, period=(start, end), lows=lows))


class GiftRangesOut(Schema):
    ranges: list[str] = Field(
        ..., description="Where each range starts, highest first; the last is always 0.01."
    )
    own: bool = Field(..., description="Whether these are the organization's own ranges.")
    version: int | None = Field(
        ..., description="The version of the organization's own ranges (none: the standard)."
    )


class GiftRangesIn(InputSchema):
    ranges: list[Annotated[str, Field(max_length=20)]] = Field(
        ...,
        max_length=selectors.MAX_RANGES,
        description='Range starts such as ["100", "250", "1000"] (a range from 0.01 is added '
        "below the smallest); an empty list goes back to the standard ranges.",
    )
    version: Version | None = Field(
        None, description="The version you read; required to change ranges that are saved."
    )


def _ranges_json() -> dict[str, Any]:
    saved = selectors.gift_range_settings_get()
    return {
        "ranges": [str(low) for low in selectors.standard_ranges()],
        "own": saved is not None,
        "version": saved.version if saved is not None else None,
    }


@router.get(
    "/gift-range/settings", response=GiftRangesOut, summary="The organization's gift ranges"
)
def gift_range_settings(request: OrgRequest) -> Any:
    """The range starts the gift range report uses when `ranges` names none: the
    organization's own, or the standard ones."""
    require_perm(request.access, PERM)
    return _ranges_json()


@router.put(
    "/gift-range/settings", response=GiftRangesOut, summary="Save the organization's gift ranges"
)
def gift_range_settings_put(request: OrgRequest, payload: GiftRangesIn) -> Any:
    """Save where the organization's gift ranges start (`ledger.manage`); changing saved ranges
    needs the `version` read (a stale one is a 409)."""
    services.gift_ranges_save(
        organization=request.org,
        access=request.access,
        actor=request.user,
        ranges=payload.ranges,
        expected_version=payload.version,
    )
    return _ranges_json()


@router.get("/campaigns", response=ReportOut, summary="Giving by campaign and appeal")
def campaign_giving(
    request: OrgRequest, date_from: OptionalDate = FROM, date_to: OptionalDate = TO
) -> Any:
    """What each campaign and appeal raised, against the campaign's goal: all gifts to date, or
    those from `from` to `to`."""
    require_perm(request.access, PERM)
    span = period(request, date_from, date_to) if date_from or date_to else None
    return report_json(selectors.campaigns(request.org, period=span))


@router.get("/top-donors", response=ReportOut, summary="Top donors for a period")
def top_donors(
    request: OrgRequest,
    date_from: OptionalDate = FROM,
    date_to: OptionalDate = TO,
    limit: Annotated[int, Query(ge=1, le=500)] = 25,
) -> Any:
    require_perm(request.access, PERM)
    start, end = period(request, date_from, date_to)
    return report_json(selectors.top_donors(request.org, period=(start, end), limit=limit))


@router.get("/monthly-giving", response=ReportOut, summary="Monthly giving, average and median")
def monthly_giving(
    request: OrgRequest, date_from: OptionalDate = FROM, date_to: OptionalDate = TO
) -> Any:
    """Per month: gifts, total, average and median gift, donors; totals for the whole period
    (the last twelve months by default)."""
    require_perm(request.access, PERM)
    if date_from or date_to:
        span = period(request, date_from, date_to)
    else:
        span = last_twelve_months(timezone.localdate())
    return report_json(selectors.monthly_trend(request.org, period=span))


# --- The donors behind a figure ----------------------------------------------------------------


class DrillDonorOut(Schema):
    id: int
    reference: str
    name: str
    email: str


def _drill_param(description: str, alias: str | None = None) -> Any:
    return Query("", alias=alias, max_length=40, description=description)


@router.get(
    "/donors",
    response=list[DrillDonorOut],
    summary="The donors behind a figure of a fundraising report",
)
@paginated("pk")
def drill_donors(
    request: OrgRequest,
    report: str = _drill_param("lybunt, sybunt, retention, range, campaign or period."),
    year: str = _drill_param("lybunt, sybunt, retention: the year."),
    basis: str = _drill_param("calendar (default) or fiscal."),
    segment: str = _drill_param("retention: donors, new, retained, recaptured or lapsed."),
    date_from: str = _drill_param("range, period, campaign: first day.", alias="from"),
    date_to: str = _drill_param("range, period, campaign: last day.", alias="to"),
    low: str = _drill_param("range: the lowest total."),
    high: str = _drill_param("range: the total it stays under."),
    campaign: str = _drill_param("campaign: the campaign's id."),
    appeal: str = _drill_param("campaign: the appeal's id."),
) -> Any:
    """The donors counted by a figure, with the parameters of the figure's drill-down link (a
    row's `href` or `links` in the report's JSON, after the `?`)."""
    require_perm(request.access, PERM)
    params = QueryDict(mutable=True)
    given = {
        "report": report,
        "year": year,
        "basis": basis,
        "segment": segment,
        "from": date_from,
        "to": date_to,
        "low": low,
        "high": high,
        "campaign": campaign,
        "appeal": appeal,
    }
    params.update({key: value for key, value in given.items() if value})
    try:
        _title, donors = drill_down(request.org, params)
    except DrillError as error:
        raise invalid(error.field, error.message) from None
    return donors
