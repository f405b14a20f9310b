"""The donors behind a figure of a fundraising report, read from the URL's parameters
(`report=lybunt&year=2026&basis=calendar`, `report=retention&year=2026&segment=lapsed`,
`report=range&from=...&to=...&low=1000&high=2500`, `report=campaign&campaign=3`,
`report=period&from=...&to=...`). Bad parameters raise `DrillError` with what to fix."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db.models import QuerySet
from django.http import QueryDict

from ifm.core.api_types import EARLIEST_DATE, LATEST_DATE
from ifm.donors.gifts import giving
from ifm.donors.models import Appeal, Campaign, Donor
from ifm.reports.fundraising.selectors import (
    BASES,
    lapsed_donors,
    retention_donors,
    year_bounds,
)
from ifm.tenancy.models import Organization

REPORTS = ("lybunt", "sybunt", "retention", "range", "campaign", "period")
SEGMENT_LABELS = {
    "donors": "Donors",
    "new": "New",
    "retained": "Retained",
    "recaptured": "Recaptured",
    "lapsed": "Lapsed",
}


class DrillError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _year(params: QueryDict) -> int:
    text = params.get("year", "")
    if (
        not (text.isascii() and text.isdigit())
        or not EARLIEST_DATE.year + 1 <= int(text) <= LATEST_DATE.year
    ):
        raise DrillError(
            "year", f"Give a year from {EARLIEST_DATE.year + 1} to {LATEST_DATE.year}."
        )
    return int(text)


def _basis(params: QueryDict) -> str:
    basis = params.get("basis") or "calendar"
    if basis not in BASES:
        raise DrillError("basis", 'Give "calendar" or "fiscal".')
    return basis


def _date(params: QueryDict, name: str) -> date:
    try:
        value = date.fromisoformat(params.get(name, ""))
    except ValueError:
        raise DrillError(name, f"Give `{name}` as a date (YYYY-MM-DD).") from None
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise DrillError(name, f"Give `{name}` between {EARLIEST_DATE} and {LATEST_DATE}.")
    return value


def _period(params: QueryDict, required: bool = True) -> tuple[date, date] | None:
    if not required and not params.get("from") and not params.get("to"):
        return None
    start, end = _date(params, "from"), _date(params, "to")
    if start > end:
        raise DrillError("from", "The period must start on or before its last day (`to`).")
    return start, end


def _amount(params: QueryDict, name: str) -> Decimal | None:
    text = params.get(name, "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise DrillError(name, f"Give `{name}` as an amount, such as 1000.00.") from None
    if not value.is_finite() or not Decimal(0) <= value < Decimal("1e12"):
        raise DrillError(name, f"Give `{name}` as an amount from 0 to 999,999,999,999.99.")
    return value


def _id(params: QueryDict, name: str) -> int | None:
    text = params.get(name, "")
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) < 2**31:
        raise DrillError(name, f"Give `{name}` as a number.")
    return int(text)


def drill_down(organization: Organization, params: QueryDict) -> tuple[str, QuerySet[Donor]]:
    """A title and the donors behind the figure the parameters name."""
    report = params.get("report", "")
    if report not in REPORTS:
        raise DrillError("report", f"Give a report: {', '.join(REPORTS)}.")
    donors: QuerySet[Donor]
    if report in ("lybunt", "sybunt", "retention"):
        year, basis = _year(params), _basis(params)
        name = year_bounds(organization, year, basis)[2]
        p_name = year_bounds(organization, year - 1, basis)[2]
        if report == "retention":
            segment = params.get("segment") or "donors"
            if segment not in SEGMENT_LABELS:
                raise DrillError("segment", f"Give a segment: {', '.join(SEGMENT_LABELS)}.")
            donors = retention_donors(organization, year=year, basis=basis, segment=segment)
            title = f"{SEGMENT_LABELS[segment]} donors of {name} (against {p_name})"
        else:
            donors = lapsed_donors(organization, kind=report, year=year, basis=basis)
            title = f"{report.upper()} donors of {name}"
    elif report == "range":
        period = _period(params)
        assert period is not None
        low = _amount(params, "low") or Decimal("0.01")
        high = _amount(params, "high")
        donors = giving.donors_of(giving.donors_between(period, low, high, organization))
        upper = f" and under {high:,.2f}" if high is not None else ""
        title = f"Donors who gave {low:,.2f}{upper} from {period[0]} to {period[1]}"
    elif report == "campaign":
        span = _period(params, required=False)
        campaign_id, appeal_id = _id(params, "campaign"), _id(params, "appeal")
        if campaign_id is None and appeal_id is None:
            raise DrillError("campaign", "Give a campaign or an appeal.")
        what = ""
        if campaign_id is not None:
            campaign = Campaign.objects.filter(pk=campaign_id).first()
            if campaign is None:
                raise DrillError("campaign", "No such campaign.")
            what = campaign.name
        if appeal_id is not None:
            appeal = Appeal.objects.filter(pk=appeal_id).first()
            if appeal is None:
                raise DrillError("appeal", "No such appeal.")
            what = appeal.name
        donors = giving.campaign_donors(span, campaign_id=campaign_id, appeal_id=appeal_id)
        title = f"Donors to {what}" + (f" from {span[0]} to {span[1]}" if span else "")
    else:
        period = _period(params)
        assert period is not None
        donors = giving.donors_who_gave(period, organization)
        title = f"Donors who gave from {period[0]} to {period[1]}"
    return title, giving.by_name(donors)
