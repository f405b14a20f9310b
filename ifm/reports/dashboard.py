"""The reports' dashboard section (registered in ReportsConfig.ready(), see
ifm/orgs/dashboard.py): for the roles that read the financial statements, the fiscal year to
date's revenue less expenses and its expenses by function, each with a chart and
each chart linking to the statement it comes from."""

from __future__ import annotations

from collections.abc import Iterator

from ifm.ledger.periods.fiscal_years import fiscal_year_bounds
from ifm.orgs.dashboard import DashboardContext, Tile, register, register_section
from ifm.reports.charts.svg import Series, bar_chart
from ifm.reports.financial import charts as financial
from ifm.reports.report import add
from ifm.tenancy.roles import Role

PERM = "reports.financial"


def financial_tiles(ctx: DashboardContext) -> Iterator[Tile]:
    """Two queries: revenue and expenses, and expenses by function, for the fiscal year to date
    (a chart by month would cost a query a month; the statement's page has it)."""
    start = fiscal_year_bounds(ctx.organization, ctx.today)[0]
    period = {"date_from": start, "date_to": ctx.today}
    revenue, expenses = financial.revenue_and_expenses(date_from=start, date_to=ctx.today)
    yield Tile(
        key="reports.change_in_net_assets",
        title="Revenue less expenses, fiscal year to date",
        value=revenue - expenses,
        is_money=True,
        detail=f"Revenue and support {revenue:,.2f} · expenses {expenses:,.2f}",
        url=ctx.url("reports:activities", period),
        chart=bar_chart(
            key="dashboard-revenue-expenses",
            title="Revenue and expenses, fiscal year to date",
            labels=["Revenue and support", "Expenses"],
            series=[Series("Fiscal year to date", [revenue, expenses])],
        ),
    )
    functions = financial.expenses_by_function(date_from=start, date_to=ctx.today)
    yield Tile(
        key="reports.expenses_by_function",
        title="Expenses by function, fiscal year to date",
        value=add(*(value for _, value in functions)),
        is_money=True,
        detail=" · ".join(f"{label} {value:,.2f}" for label, value in functions if value),
        url=ctx.url("reports:functional_expenses", period),
        chart=financial.function_chart(functions, key="dashboard-expenses-by-function"),
    )


def register_tiles() -> None:
    register_section("reports", "Financial results", roles=[Role.ADMIN, Role.FINANCE, Role.VIEWER])
    register("reports", financial_tiles, perm=PERM)
