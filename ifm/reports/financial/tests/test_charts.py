"""The financial charts agree with the statements beside them, of both classes or of one."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ifm.ledger.conftest import acct, restricted
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import Function, Fund
from ifm.reports.financial.charts import (
    activities_charts,
    expenses_by_function,
    months,
    net_assets_by_month_end,
    position_charts,
    revenue_and_expenses_by_month,
)
from ifm.reports.financial.selectors import (
    statement_of_activities,
    statement_of_financial_position,
)
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db
__all__ = ["restricted"]  # the fixture
D = Decimal


def test_months_cut_the_period_and_keep_the_last_24() -> None:
    cut = months(date(2026, 1, 15), date(2026, 3, 10))
    assert [(m.start, m.end) for m in cut] == [
        (date(2026, 1, 15), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 10)),
    ]
    long = months(date(2020, 1, 1), date(2026, 12, 31))
    assert len(long) == 24
    assert long[0].start == date(2025, 1, 1)


def _post(org: Organization, actor: Any, on: date, lines: list[LineInput]) -> None:
    post_entry(organization=org, actor=actor, date=on, lines=lines)


def test_charts_agree_with_the_statements(
    books: Organization, cast: Any, general: Fund, restricted: Fund
) -> None:
    admin = cast["admin"]
    jan, feb = date(2026, 1, 10), date(2026, 2, 10)
    _post(
        books,
        admin,
        jan,
        [
            LineInput(acct("1010"), general, debit=D("1000.00")),
            LineInput(acct("4010"), general, credit=D("1000.00")),
        ],
    )
    _post(
        books,
        admin,
        feb,
        [
            LineInput(acct("1010"), restricted, debit=D("400.00")),
            LineInput(acct("4015"), restricted, credit=D("400.00")),
        ],
    )
    _post(
        books,
        admin,
        feb,
        [
            LineInput(acct("8110"), general, debit=D("150.00"), function=Function.FUNDRAISING),
            LineInput(acct("1010"), general, credit=D("150.00")),
        ],
    )
    by_month = revenue_and_expenses_by_month(date_from=date(2026, 1, 1), date_to=date(2026, 3, 31))
    assert [(f.month.label, f.revenue, f.expenses) for f in by_month] == [
        ("2026-01", D("1000.00"), D("0.00")),
        ("2026-02", D("400.00"), D("150.00")),
        ("2026-03", D("0.00"), D("0.00")),
    ]
    functions = dict(expenses_by_function(date_from=jan, date_to=feb))
    assert functions == {
        "Program services": D("0.00"),
        "Management and general": D("0.00"),
        "Fundraising": D("150.00"),
    }
    points = net_assets_by_month_end(as_of=date(2026, 3, 15), count=4)
    assert [p[0] for p in points] == [
        date(2025, 12, 31),
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 15),
    ]
    assert points[0][1:] == (D("0.00"), D("0.00"))
    assert points[1][1:] == (D("1000.00"), D("0.00"))
    for on, without, with_ in points:
        position = statement_of_financial_position(as_of=on)
        assert position.totals["net_assets_without"] == without
        assert position.totals["net_assets_with"] == with_
    assert points[-1][1:] == (D("850.00"), D("400.00"))
    assert points[-1][0] - timedelta(days=14) == date(2026, 3, 1)


@pytest.mark.parametrize("net_asset_class", ["without", "with"])
def test_charts_of_one_class_agree_with_its_statements(
    books: Organization, cast: Any, general: Fund, restricted: Fund, net_asset_class: str
) -> None:
    admin = cast["admin"]
    jan, feb = date(2026, 1, 10), date(2026, 2, 10)
    for on, fund, credit, amount in (
        (jan, general, "4010", "1000.00"),
        (jan, restricted, "4015", "400.00"),
        (feb, restricted, "4015", "250.00"),
    ):
        _post(
            books,
            admin,
            on,
            [
                LineInput(acct("1010"), fund, debit=D(amount)),
                LineInput(acct(credit), fund, credit=D(amount)),
            ],
        )
    # An expense of the restricted fund: released from restriction in the same entry.
    _post(
        books,
        admin,
        feb,
        [
            LineInput(acct("8110"), restricted, debit=D("150.00"), function=Function.PROGRAM),
            LineInput(acct("1010"), restricted, credit=D("150.00")),
        ],
    )
    start, end = date(2026, 1, 1), date(2026, 2, 28)
    drawn = activities_charts(date_from=start, date_to=end, net_asset_class=net_asset_class)
    by_month = drawn[0]
    assert net_asset_class in by_month.title
    figures = {s.name: s.values for s in by_month.series}
    for index, month in enumerate(months(start, end)):
        statement = statement_of_activities(
            date_from=month.start, date_to=month.end, net_asset_class=net_asset_class
        )
        releases = statement.row("releases").value(net_asset_class)
        revenue = statement.totals["total_revenue"] - releases
        assert figures["Revenue and support"][index] == revenue
        assert figures["Net assets released from restriction"][index] == releases
        if net_asset_class == "without":
            assert figures["Expenses"][index] == statement.totals["total_expenses"]
    # February released 150.00 out of "with" into "without".
    assert figures["Net assets released from restriction"][1] == (
        D("150.00") if net_asset_class == "without" else D("-150.00")
    )
    # "with" has no expenses: no chart of expenses by function.
    assert [chart.key for chart in drawn] == (
        ["revenue-expenses", "expenses-by-function"]
        if net_asset_class == "without"
        else ["revenue-expenses"]
    )
    (net_assets,) = position_charts(as_of=end, net_asset_class=net_asset_class)
    (series,) = net_assets.series
    key = f"net_assets_{net_asset_class}"
    for label, value in zip(net_assets.labels, series.values, strict=True):
        position = statement_of_financial_position(
            as_of=date.fromisoformat(label), net_asset_class=net_asset_class
        )
        assert position.totals[key] == value
    assert series.values[-1] == (D("1000.00") if net_asset_class == "without" else D("500.00"))
