"""/api/v1/reports: the financial statements as JSON, the same `Report` the pages draw."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from django.utils import timezone
from ninja import Query, Router

from ifm.accounts.http import OrgRequest
from ifm.core.api import ApiError
from ifm.core.api_types import EARLIEST_DATE, LATEST_DATE, DateText
from ifm.ledger.api_types import QueryDate, QueryId, get_or_404, money
from ifm.ledger.models import Fund, Program
from ifm.ledger.periods.fiscal_years import fiscal_year_bounds
from ifm.reports.financial import selectors
from ifm.reports.financial.report import Report
from ifm.reports.financial.schemas import ReportOut
from ifm.tenancy.permissions import require_perm

router = Router(tags=["reports"])

PERM = "reports.financial"
OptionalDate = Annotated[date | None, DateText]


def _date_param(alias: str, description: str) -> Any:
    return Query(None, alias=alias, ge=EARLIEST_DATE, le=LATEST_DATE, description=description)


# Ninja reads an alias (`from` is a Python keyword) only from the default, not from Annotated.
FROM = _date_param("from", "First day (YYYY-MM-DD).")
TO = _date_param("to", "Last day (YYYY-MM-DD).")

PositionCompare = Annotated[
    str,
    Query(
        max_length=20,
        description='"prior_year_end", or a date (YYYY-MM-DD); empty for no comparison.',
    ),
]


def report_json(report: Report) -> dict[str, Any]:
    return {
        "title": report.title,
        "period": report.period,
        "columns": [{"key": c.key, "label": c.label} for c in report.columns],
        "rows": [
            {
                "label": row.label,
                "kind": row.kind,
                "level": row.level,
                "key": row.key or None,
                "account_id": row.account_id,
                "fund_id": row.fund_id,
                "program_id": row.program_id,
                "values": {key: money(value) for key, value in row.values.items()},
            }
            for row in report.rows
        ],
        "totals": {key: money(value) for key, value in report.totals.items()},
    }


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, message, errors=[{"field": field, "message": message}])


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
        raise _invalid("compare", 'Give "prior_year_end" or a date (YYYY-MM-DD).')
    return on


def _period(request: OrgRequest, date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """The period asked for; by default the fiscal year to date."""
    end = date_to or timezone.localdate()
    start = date_from or fiscal_year_bounds(request.org, end)[0]
    if start > end:
        raise _invalid("from", "The period must start on or before its last day (`to`).")
    return start, end


@router.get(
    "/statement-of-financial-position",
    response=ReportOut,
    summary="Statement of financial position",
)
def statement_of_financial_position(
    request: OrgRequest, as_of: QueryDate = None, compare: PositionCompare = ""
) -> Any:
    """Assets, liabilities and net assets by class on `as_of` (today by default), with a
    column for `compare`: the prior fiscal year-end or a date."""
    require_perm(request.access, PERM)
    on = as_of or timezone.localdate()
    report = selectors.statement_of_financial_position(
        as_of=on, compare_to=_compare_date(request, compare, on)
    )
    return report_json(report)


@router.get("/statement-of-activities", response=ReportOut, summary="Statement of activities")
def statement_of_activities(
    request: OrgRequest,
    date_from: OptionalDate = FROM,
    date_to: OptionalDate = TO,
    compare: Literal["", "prior_year", "prior_period"] = "",
    fund_id: QueryId = None,
    program_id: QueryId = None,
) -> Any:
    """Revenue and support by net-asset class, releases from restriction, expenses by function
    and the change in net assets from `from` (the start of the fiscal year by default) to `to`
    (today by default); `compare` adds the total of the same period a year earlier or of the
    period just before. Net assets at the beginning and end are left out for one program."""
    require_perm(request.access, PERM)
    if fund_id is not None:
        get_or_404(Fund, fund_id)
    if program_id is not None:
        get_or_404(Program, program_id)
    start, end = _period(request, date_from, date_to)
    report = selectors.statement_of_activities(
        date_from=start,
        date_to=end,
        compare=selectors.compare_period(compare, start, end),
        fund_id=fund_id,
        program_id=program_id,
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
    start, end = _period(request, date_from, date_to)
    return report_json(selectors.functional_expenses(date_from=start, date_to=end))
