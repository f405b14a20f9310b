"""Pages of the financial statements and their CSV and Excel files: one view draws a statement,
the same `Report` the API answers with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBase

from ifm.accounts.http import OrgRequest
from ifm.reports.charts.svg import Chart
from ifm.reports.export import report_file
from ifm.reports.financial import charts, selectors
from ifm.reports.financial.cash_flow import cash_flow
from ifm.reports.financial.forms import ActivitiesForm, CashFlowForm, PeriodForm, PositionForm
from ifm.reports.pages import render_report
from ifm.reports.report import Report
from ifm.tenancy.permissions import require_perm

PERM = "reports.financial"


def _position(request: OrgRequest) -> tuple[Any, Report]:
    form = PositionForm(request.GET or None)
    filters = form.filters(request.org)
    report = selectors.statement_of_financial_position(**filters)
    if not form.is_bound:
        form = PositionForm(initial={"as_of": filters["as_of"], "compare": "prior_year_end"})
    return form, report


def _activities(request: OrgRequest) -> tuple[Any, Report]:
    form = ActivitiesForm(request.GET or None)
    filters = form.filters(request.org)
    report = selectors.statement_of_activities(**filters)
    if not form.is_bound:
        form = ActivitiesForm(
            initial={"date_from": filters["date_from"], "date_to": filters["date_to"]}
        )
    return form, report


def _functional(request: OrgRequest) -> tuple[Any, Report]:
    form = PeriodForm(request.GET or None)
    date_from, date_to = form.period(request.org)
    report = selectors.functional_expenses(date_from=date_from, date_to=date_to)
    if not form.is_bound:
        form = PeriodForm(initial={"date_from": date_from, "date_to": date_to})
    return form, report


def _cash_flow(request: OrgRequest) -> tuple[Any, Report]:
    form = CashFlowForm(request.GET or None)
    filters = form.filters(request.org)
    report = cash_flow(**filters)
    if not form.is_bound:
        form = CashFlowForm(
            initial={"date_from": filters["date_from"], "date_to": filters["date_to"]}
        )
    return form, report


# name (of the URL and the file) → how the page reads its filters and builds its report
STATEMENTS: dict[str, Callable[[OrgRequest], tuple[Any, Report]]] = {
    "financial_position": _position,
    "activities": _activities,
    "functional_expenses": _functional,
    "cash_flow": _cash_flow,
}


def _position_charts(request: OrgRequest) -> list[Chart]:
    filters = PositionForm(request.GET or None).filters(request.org)
    return charts.position_charts(
        as_of=filters["as_of"],
        fund_id=filters["fund_id"],
        net_asset_class=filters["net_asset_class"],
    )


def _activities_charts(request: OrgRequest) -> list[Chart]:
    filters = ActivitiesForm(request.GET or None).filters(request.org)
    filters.pop("compare")
    return charts.activities_charts(**filters)


def _functional_charts(request: OrgRequest) -> list[Chart]:
    date_from, date_to = PeriodForm(request.GET or None).period(request.org)
    return charts.functional_charts(date_from=date_from, date_to=date_to)


# name → the charts its page and its PDF draw, for the same filters
CHARTS: dict[str, Callable[[OrgRequest], list[Chart]]] = {
    "financial_position": _position_charts,
    "activities": _activities_charts,
    "functional_expenses": _functional_charts,
}
FILE_NAMES = {
    "financial_position": "statement-of-financial-position",
    "activities": "statement-of-activities",
    "functional_expenses": "functional-expenses",
    "cash_flow": "cash-flow",
}


@login_required
def statement(request: OrgRequest, org_slug: str, name: str) -> HttpResponse:
    require_perm(request.access, PERM)
    form, report = STATEMENTS[name](request)
    drawn = CHARTS[name](request) if name in CHARTS and not report.is_empty else []
    return render_report(request, name, form, report, charts=drawn)


@login_required
def statement_export(request: OrgRequest, org_slug: str, name: str, fmt: str) -> HttpResponseBase:
    require_perm(request.access, PERM)
    _, report = STATEMENTS[name](request)
    # Only the PDF draws the charts: the spreadsheets do not pay for their queries.
    drawn = CHARTS[name](request) if fmt == "pdf" and name in CHARTS and not report.is_empty else []
    return report_file(request, report, fmt, FILE_NAMES[name], charts=drawn)
