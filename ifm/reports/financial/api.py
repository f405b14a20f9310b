"""/api/v1/reports: the financial statements as JSON, the same `Report` the pages draw."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from django.utils import timezone
from ninja import Query, Router

from ifm.accounts.http import OrgRequest
from ifm.core.api_types import EARLIEST_DATE, LATEST_DATE
from ifm.ledger.api_types import QueryDate, QueryId, get_or_404
from ifm.ledger.models import Fund, Program
from ifm.reports.financial import selectors
from ifm.reports.financial.cash_flow import cash_flow as cash_flow_report
from ifm.reports.params import FROM, TO, OptionalDate, invalid, period
from ifm.reports.schemas import ReportOut, report_json
from ifm.tenancy.permissions import require_perm

router = Router(tags=["reports"])

PERM = "reports.financial"

PositionCompare = Annotated[
    str,
    Query(
        max_length=20,
        description='"prior_year_end", or a date (YYYY-MM-DD); empty for no comparison.',
    ),
]


NetAssetClass = Literal["", "without", "with"]
ActivityCompare = Literal["", "prior_year", "prior_period"]


def _compare_date(request: OrgRequest, compare: str, as_of: date) -> date | None:
    if not compare:
        return None
    if compare == "prior_year_end":
        return selectors.prior_year_end(request.org, as_of)
    try:
        on = date.fromisoformat(compare)
    except ValueError:
        on = None
    if on is None or len(compare) != 10 or not EARLIEST_DATE <= on <= LATEST_DATE:
        raise invalid("compare", 'Give "prior_year_end" or a date (YYYY-MM-DD).')
    return on


@router.get(
    "/statement-of-financial-position",
    response=ReportOut,
    summary="Statement of financial position",
)
def statement_of_financial_position(
    request: OrgRequest,
    as_of: QueryDate = None,
    compare: PositionCompare = "",
    fund_id: QueryId = None,
    net_asset_class: NetAssetClass = "",
) -> Any:
    """Assets, liabilities and net assets by class on `as_of` (today by default), with a
    column for `compare`: the prior fiscal year-end or a date. `fund_id` keeps one fund's
    lines; `net_asset_class` ("without" or "with") keeps only that class's net assets."""
    require_perm(request.access, PERM)
    if fund_id is not None:
        get_or_404(Fund, fund_id)
    on = as_of or timezone.localdate()
    report = selectors.statement_of_financial_position(
        as_of=on,
        compare_to=_compare_date(request, compare, on),
        fund_id=fund_id,
        net_asset_class=net_asset_class,
    )
    return report_json(report)


@router.get("/statement-of-activities", response=ReportOut, summary="Statement of activities")
def statement_of_activities(
    request: OrgRequest,
    date_from: OptionalDate = FROM,
    date_to: OptionalDate = TO,
    compare: ActivityCompare = "",
    fund_id: QueryId = None,
    program_id: QueryId = None,
    net_asset_class: NetAssetClass = "",
) -> Any:
    """Revenue and support by net-asset class, releases from restriction, expenses by function
    and the change in net assets from `from` (the start of the fiscal year by default) to `to`
    (today by default); `compare` adds the total of the same period a year earlier or of the
    period just before. Net assets at the beginning and end are left out for one program.
    `net_asset_class` ("without" or "with") shows only that class's column."""
    require_perm(request.access, PERM)
    if fund_id is not None:
        get_or_404(Fund, fund_id)
    if program_id is not None:
        get_or_404(Program, program_id)
    start, end = period(request, date_from, date_to)
    report = selectors.statement_of_activities(
        date_from=start,
        date_to=end,
        compare=selectors.compare_period(compare, start, end),
        fund_id=fund_id,
        program_id=program_id,
        net_asset_class=net_asset_class,
    )
    return report_json(report)


@router.get("/functional-expenses", response=ReportOut, summary="Statement of functional expenses")
def functional_expenses(
    request: OrgRequest,
    date_from: OptionalDate = FROM,
    date_to: OptionalDate = TO,
) -> Any:
    """Expense accounts by function (each program, management and general, fundraising)."""
    require_perm(request.access, PERM)
    start, end = period(request, date_from, date_to)
    return report_json(selectors.functional_expenses(date_from=start, date_to=end))


@router.get("/cash-flow", response=ReportOut, summary="Statement of cash flows")
def cash_flow(
    request: OrgRequest,
    date_from: OptionalDate = FROM,
    date_to: OptionalDate = TO,
    compare: ActivityCompare = "",
    fund_id: QueryId = None,
) -> Any:
    """The change in net assets from `from` to `to`, adjusted for non-cash items and changes in
    working capital, then investing and financing (indirect method); the net change in cash
    equals the change of the cash accounts. Contributions restricted to long-term purposes
    (given to a fund with a perpetual restriction) are financing. `compare` adds the same
    period a year earlier or the period just before; `fund_id` keeps one fund's lines."""
    require_perm(request.access, PERM)
    if fund_id is not None:
        get_or_404(Fund, fund_id)
    start, end = period(request, date_from, date_to)
    report = cash_flow_report(
        date_from=start,
        date_to=end,
        compare=selectors.compare_period(compare, start, end),
        fund_id=fund_id,
    )
    return report_json(report)
