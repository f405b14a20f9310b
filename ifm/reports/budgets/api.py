"""The budgets in the API: `router` holds budget vs. actual under /api/v1/reports, and
`budgets_router` the budgets themselves under /api/v1/budgets. Both call the same selectors
and services as the pages."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404
from ninja import Path, Query, Router

from ifm.accounts.http import OrgRequest
from ifm.core.api import paginated
from ifm.core.errors import ServiceError
from ifm.reports.budgets import selectors, services
from ifm.reports.budgets.models import Budget
from ifm.reports.budgets.schemas import (
    BudgetCopyIn,
    BudgetIn,
    BudgetOut,
    BudgetSummaryOut,
    budget_json,
)
from ifm.reports.budgets.years import FIRST_YEAR, LAST_YEAR, current_fiscal_year
from ifm.reports.schemas import ReportOut, report_json
from ifm.tenancy.permissions import require_perm

router = Router(tags=["reports"])
budgets_router = Router(tags=["budgets"])

READ, WRITE = "reports.financial", "ledger.manage"
YEAR_RULE = f"The fiscal year, named by the year it ends in ({FIRST_YEAR} to {LAST_YEAR})."
YearPath = Annotated[int, Path(ge=FIRST_YEAR, le=LAST_YEAR, description=YEAR_RULE)]
YearQuery = Annotated[
    int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR, description=YEAR_RULE + " This one by default.")
]
MonthQuery = Annotated[
    int, Query(ge=1, le=12, description="The last month counted, 1 to 12 (12 by default).")
]
_MONTH = re.compile(r"^(lines\[\d+\])\.month_(\d+)$")


@router.get("/budget-vs-actual", response=ReportOut, summary="Budget vs. actual")
def budget_vs_actual(
    request: OrgRequest, fiscal_year: YearQuery = None, through_month: MonthQuery = 12
) -> Any:
    """Each budget line of the fiscal year against what was posted, from the year's first day
    to the end of month `through_month`; lines over budget (expenses) or under it (revenue)
    have the kind "over" or "under". Totals: `total_revenue_budget`, `total_revenue_actual`,
    `total_revenue_variance`, the same for `total_expenses_*`, and `net_budget`,
    `net_actual`, `net_variance` (revenue less expenses)."""
    require_perm(request.access, READ)
    year = fiscal_year or current_fiscal_year(request.org)
    report = selectors.budget_vs_actual(
        organization=request.org, fiscal_year=year, through_month=through_month
    )
    return report_json(report)


@budgets_router.get("", response=list[BudgetSummaryOut], summary="List budgets")
@paginated("-fiscal_year")
def budget_list(request: OrgRequest) -> QuerySet[Budget]:
    require_perm(request.access, READ)
    return selectors.budget_queryset()


def _budget_or_404(fiscal_year: int) -> Budget:
    budget = selectors.budget_get(fiscal_year)
    if budget is None:
        raise Http404(f"No budget for FY{fiscal_year}.")
    return budget


@budgets_router.get("/{int:fiscal_year}", response=BudgetOut, summary="Get a year's budget")
def budget_get(request: OrgRequest, fiscal_year: YearPath) -> Any:
    require_perm(request.access, READ)
    return budget_json(_budget_or_404(fiscal_year))


def _api_fields(exc: ServiceError) -> ServiceError:
    """The service's `lines[i].month_n` as the body's `lines[i].amounts[n-1]`."""
    for error in exc.errors:
        match = _MONTH.match(error.get("field") or "")
        if match:
            error["field"] = f"{match.group(1)}.amounts[{int(match.group(2)) - 1}]"
    return exc


@budgets_router.put("/{int:fiscal_year}", response=BudgetOut, summary="Replace a year's budget")
def budget_put(request: OrgRequest, payload: BudgetIn, fiscal_year: YearPath) -> Any:
    """Replace every line of the year's budget (create it when there is none). Replacing an
    existing budget needs the `version` read; a stale one is a 409. Lines of twelve zeros are
    not kept."""
    require_perm(request.access, WRITE)
    lines = [
        services.LineIn(x.account_id, x.fund_id, x.program_id, [Decimal(a) for a in x.amounts])
        for x in payload.lines
    ]
    try:
        budget = services.budget_save(
            organization=request.org,
            access=request.access,
            actor=request.user,
            fiscal_year=fiscal_year,
            lines=lines,
            expected_version=payload.version,
            how="api",
        )
    except ServiceError as exc:
        raise _api_fields(exc) from None
    return budget_json(budget)


@budgets_router.post(
    "/{int:fiscal_year}/copy", response=BudgetOut, summary="Copy last year into a budget"
)
def budget_copy(request: OrgRequest, payload: BudgetCopyIn, fiscal_year: YearPath) -> Any:
    """Replace the year's budget with last year's actuals (per account) or budget (every
    line), each amount increased by `percent`."""
    require_perm(request.access, WRITE)
    budget = services.budget_copy(
        organization=request.org,
        access=request.access,
        actor=request.user,
        fiscal_year=fiscal_year,
        source=payload.source,
        percent=Decimal(payload.percent),
        expected_version=payload.version,
    )
    return budget_json(budget)
