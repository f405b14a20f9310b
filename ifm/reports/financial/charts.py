"""The financial charts: revenue and expenses by month, expenses by function, net assets by
class at month-ends. Figures are read from the ledger the way the statements read them
(`line_totals`, closing entries left out, the same split between the net-asset classes), so a
chart agrees with the statement beside it: a month is one query, a chart a dozen or so.

A statement filtered by net-asset class ("without" or "with") gets that class's charts: its
revenue, releases and expenses by month (every expense is in "without", so "with" has no chart
of expenses by function), and its net assets at month-ends."""

from __future__ import annotations

import calendar
import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ifm.ledger.balances.selectors import line_totals
from ifm.ledger.models import AccountType, Function
from ifm.reports.charts.svg import Chart, Series, bar_chart, line_chart
from ifm.reports.financial.selectors import (
    CLASS_LABELS,
    FUNCTION_LABELS,
    NET_ASSET_TYPES,
    RELEASE_ROLES,
    WITH,
    WITHOUT,
    _is_with,
)
from ifm.reports.report import ZERO, add

MAX_MONTHS = 24  # a longer period shows its last 24 months


@dataclass(frozen=True)
class Month:
    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m}"

    @property
    def short(self) -> str:
        return f"{self.start:%b}"


def month_end(on: date) -> date:
    return on.replace(day=calendar.monthrange(on.year, on.month)[1])


def months(date_from: date, date_to: date) -> list[Month]:
    """The calendar months from `date_from` to `date_to` (the first and last cut to the
    period), at most the last MAX_MONTHS."""
    out = []
    start = date_from
    while start <= date_to:
        end = min(month_end(start), date_to)
        out.append(Month(start, end))
        start = end + timedelta(days=1)
    return out[-MAX_MONTHS:]


@dataclass(frozen=True)
class MonthFigures:
    month: Month
    revenue: Decimal
    expenses: Decimal
    releases: Decimal = ZERO  # into the class: negative out of "with"; zero for both classes


def _figures(
    rows: list[dict[str, Any]], net_asset_class: str = ""
) -> tuple[Decimal, Decimal, Decimal]:
    """(revenue and support, releases from restriction, expenses) of the rows, of both classes
    or of one, split as the statement of activities splits them."""
    revenue = releases = expenses = ZERO
    for row in rows:
        if net_asset_class and (WITH if _is_with(row) else WITHOUT) != net_asset_class:
            continue
        if row["account__type"] == AccountType.EXPENSE:
            expenses -= row["net"]
        elif row["account__role"] in RELEASE_ROLES:
            releases += row["net"]
        else:
            revenue += row["net"]
    return revenue, releases, expenses


def _period_figures(
    date_from: date,
    date_to: date,
    fund_id: int | None,
    program_id: int | None,
    net_asset_class: str = "",
) -> tuple[Decimal, Decimal, Decimal]:
    rows = line_totals(
        group_by=("account__type", "account__role", "account__net_asset_class"),
        date_from=date_from,
        date_to=date_to,
        types=(AccountType.REVENUE, AccountType.EXPENSE),
        fund_id=fund_id,
        program_id=program_id,
    )
    return _figures(rows, net_asset_class)


def revenue_and_expenses(
    *, date_from: date, date_to: date, fund_id: int | None = None, program_id: int | None = None
) -> tuple[Decimal, Decimal]:
    """Revenue and support (releases from restriction left out: they move net assets between
    classes, they earn nothing) and expenses, for the period."""
    revenue, _releases, expenses = _period_figures(date_from, date_to, fund_id, program_id)
    return revenue, expenses


def revenue_and_expenses_by_month(
    *,
    date_from: date,
    date_to: date,
    fund_id: int | None = None,
    program_id: int | None = None,
    net_asset_class: str = "",
) -> list[MonthFigures]:
    """`revenue_and_expenses` per month of the period (a query a month); with
    `net_asset_class`, the class's revenue, expenses and releases (into it, or out of it)."""
    out = []
    for month in months(date_from, date_to):
        revenue, releases, expenses = _period_figures(
            month.start, month.end, fund_id, program_id, net_asset_class
        )
        out.append(MonthFigures(month, revenue, expenses, releases))
    return out


def expenses_by_function(
    *, date_from: date, date_to: date, fund_id: int | None = None, program_id: int | None = None
) -> list[tuple[str, Decimal]]:
    """Program services, management and general, fundraising (and expenses posted without a
    function, when there are any) for the period."""
    totals = {Function.PROGRAM.value: ZERO, Function.MANAGEMENT.value: ZERO}
    totals[Function.FUNDRAISING.value] = ZERO
    for row in line_totals(
        group_by=("function",),
        date_from=date_from,
        date_to=date_to,
        types=(AccountType.EXPENSE,),
        fund_id=fund_id,
        program_id=program_id,
    ):
        function = row["function"] if row["function"] in totals else ""
        totals[function] = totals.get(function, ZERO) - row["net"]
    labels = {Function.PROGRAM.value: "Program services", **FUNCTION_LABELS}
    return [(labels[f], v) for f, v in totals.items() if f or v]


def _classes(rows: list[dict[str, Any]]) -> tuple[Decimal, Decimal]:
    """(without, with) donor restrictions of net-asset, revenue and expense line totals."""
    total = add(*(r["net"] for r in rows))
    with_ = add(*(r["net"] for r in rows if _is_with(r)))
    return total - with_, with_


def net_assets_by_month_end(
    *, as_of: date, count: int = 12, fund_id: int | None = None
) -> list[tuple[date, Decimal, Decimal]]:
    """Net assets without and with donor restrictions at the `count` month-ends up to `as_of`
    (the last point is `as_of` itself): the first point summed from the beginning, each next
    one adds its month's change."""
    points = []
    on = as_of
    for _ in range(count):
        points.append(on)
        on = on.replace(day=1) - timedelta(days=1)
    points.reverse()
    group = ("account__type", "account__net_asset_class")
    without, with_ = _classes(
        line_totals(group_by=group, date_to=points[0], types=NET_ASSET_TYPES, fund_id=fund_id)
    )
    out = [(points[0], without, with_)]
    for before, on in itertools.pairwise(points):
        change = _classes(
            line_totals(
                group_by=group,
                date_from=before + timedelta(days=1),
                date_to=on,
                types=NET_ASSET_TYPES,
                fund_id=fund_id,
            )
        )
        without, with_ = without + change[0], with_ + change[1]
        out.append((on, without, with_))
    return out


# --- The charts --------------------------------------------------------------------------------


def revenue_expenses_chart(
    figures: list[MonthFigures], *, key: str = "revenue-expenses", net_asset_class: str = ""
) -> Chart:
    """Revenue and expenses by month; for one class, its releases too ("with" has no
    expenses, so it shows its revenue and what was released out of it)."""
    revenue = Series("Revenue and support", [f.revenue for f in figures])
    releases = Series("Net assets released from restriction", [f.releases for f in figures])
    expenses = Series("Expenses", [f.expenses for f in figures])
    title, series = "Revenue and expenses by month", [revenue, expenses]
    if net_asset_class == WITHOUT:
        title, series = f"{title}, without donor restrictions", [revenue, releases, expenses]
    elif net_asset_class == WITH:
        title, series = (
            "Revenue and releases by month, with donor restrictions",
            [revenue, releases],
        )
    return bar_chart(
        key=key,
        title=title,
        labels=[f.month.label for f in figures],
        axis_labels=[f.month.short for f in figures],
        series=series,
    )


def function_chart(
    functions: list[tuple[str, Decimal]], *, key: str = "expenses-by-function"
) -> Chart:
    return bar_chart(
        key=key,
        title="Expenses by function",
        labels=[label for label, _ in functions],
        series=[Series("Expenses", [value for _, value in functions])],
    )


def net_assets_chart(
    points: list[tuple[date, Decimal, Decimal]],
    *,
    key: str = "net-assets",
    net_asset_class: str = "",
) -> Chart:
    """Net assets of each class and their total at month-ends, or of one class alone."""
    series = {
        WITHOUT: Series(CLASS_LABELS[WITHOUT], [p[1] for p in points]),
        WITH: Series(CLASS_LABELS[WITH], [p[2] for p in points]),
    }
    title = "Net assets by class at month-end"
    if net_asset_class:
        title = f"Net assets {CLASS_LABELS[net_asset_class].lower()} at month-end"
    return line_chart(
        key=key,
        title=title,
        labels=[f"{on:%Y-%m-%d}" for on, _, _ in points],
        axis_labels=[f"{on:%b}" for on, _, _ in points],
        series=[series[net_asset_class]]
        if net_asset_class
        else [*series.values(), Series("Total", [p[1] + p[2] for p in points])],
    )


def activities_charts(
    *,
    date_from: date,
    date_to: date,
    fund_id: int | None = None,
    program_id: int | None = None,
    net_asset_class: str = "",
) -> list[Chart]:
    """The statement of activities' charts, for the same period and filters (of one class:
    its revenue, releases and expenses, and no expenses by function for "with")."""
    by_month = revenue_and_expenses_by_month(
        date_from=date_from,
        date_to=date_to,
        fund_id=fund_id,
        program_id=program_id,
        net_asset_class=net_asset_class,
    )
    drawn = [revenue_expenses_chart(by_month, net_asset_class=net_asset_class)]
    if net_asset_class != WITH:
        functions = expenses_by_function(
            date_from=date_from, date_to=date_to, fund_id=fund_id, program_id=program_id
        )
        drawn.append(function_chart(functions))
    return drawn


def position_charts(
    *, as_of: date, fund_id: int | None = None, net_asset_class: str = ""
) -> list[Chart]:
    """The net assets chart, for the whole organization or one fund, of both classes or one."""
    points = net_assets_by_month_end(as_of=as_of, fund_id=fund_id)
    return [net_assets_chart(points, net_asset_class=net_asset_class)]


def functional_charts(*, date_from: date, date_to: date) -> list[Chart]:
    return [function_chart(expenses_by_function(date_from=date_from, date_to=date_to))]
