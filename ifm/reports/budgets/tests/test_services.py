"""Saving, copying and reading budgets, and budget vs. actual."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ifm.core.errors import ConflictError, ServiceError
from ifm.ledger.conftest import acct
from ifm.ledger.models import Fund
from ifm.ledger.periods.fiscal_years import organization_today
from ifm.reports.budgets import selectors, services
from ifm.reports.budgets.models import BudgetLine
from ifm.reports.budgets.services import LineIn
from ifm.reports.budgets.tests.helpers import line, post, twelve, who
from ifm.reports.budgets.years import current_fiscal_year, year_bounds, year_months
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db


def _save(org: Organization, user: Any, lines: list[LineIn], version: int | None = None) -> Any:
    return services.budget_save(
        **who(org, user),
        fiscal_year=current_fiscal_year(org),
        lines=lines,
        expected_version=version,
    )


def test_a_budget_is_saved_and_replaced_whole(books: Organization, cast: Any) -> None:
    budget = _save(books, cast["finance"], [line("4010", "1000.00"), line("8110", "0")])
    assert budget.version == 1
    assert [x.account.number for x in selectors.budget_lines(budget)] == ["4010"]  # zeros dropped
    budget = _save(books, cast["finance"], [line("8110", "50.25")], version=1)
    lines = selectors.budget_lines(budget)
    assert budget.version == 2
    assert [(x.account.number, x.total) for x in lines] == [("8110", Decimal("603.00"))]


def test_each_problem_names_its_line_and_month_and_nothing_is_saved(
    books: Organization, cast: Any
) -> None:
    amounts: list[Any] = twelve("1.00")
    amounts[1] = Decimal("-5.00")
    amounts[4] = "1.001"
    bad = [
        LineIn(acct("4010").pk, None, None, amounts),
        LineIn(acct("1010").pk, None, None, twelve("1")),  # an asset
        line("8110", "1"),
        line("8110", "2"),  # the same key again
        LineIn(acct("7220").pk, 999999, None, twelve("1")),
    ]
    with pytest.raises(ServiceError) as caught:
        _save(books, cast["finance"], bad)
    fields = {e["field"]: e["message"] for e in caught.value.errors}
    assert fields["lines[0].month_2"] == "A budget amount must not be negative."
    assert "two decimals" in fields["lines[0].month_5"]
    assert "revenue or expense" in fields["lines[1].account"]
    assert "line 3" in fields["lines[3].account"]
    assert fields["lines[4].fund"] == "No such fund."
    assert not BudgetLine.objects.exists()


def test_a_stale_version_is_a_conflict(books: Organization, cast: Any) -> None:
    _save(books, cast["finance"], [line("4010", "1")])
    _save(books, cast["admin"], [line("4010", "2")], version=1)
    with pytest.raises(ConflictError):
        _save(books, cast["finance"], [line("4010", "3")], version=1)
    with pytest.raises(ConflictError, match="send the version"):
        _save(books, cast["finance"], [line("4010", "3")])


def test_only_ledger_managers_save(books: Organization, cast: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _save(books, cast["viewer"], [line("4010", "1")])


def test_budget_vs_actual_per_line(books: Organization, cast: Any, general: Fund) -> None:
    today = organization_today(books)
    year = current_fiscal_year(books)
    _save(
        books,
        cast["finance"],
        [
            line("4010", "1000.00"),
            line("8110", "10.00"),
            line("8110", "50.00", fund=general.pk),
        ],
    )
    post(books, cast["admin"], today, "1010", "4010", "1250.00")
    post(books, cast["admin"], today, "8110", "1010", "700.00")  # general fund: the fund line
    post(books, cast["admin"], today, "7220", "1010", "30.00")  # no budget at all
    report = selectors.budget_vs_actual(organization=books, fiscal_year=year)
    rows = {(r.account_id, r.fund_id): r for r in report.rows if r.account_id}
    revenue = rows[(acct("4010").pk, None)]
    assert revenue.values["budget"] == Decimal("12000.00")
    assert revenue.values["actual"] == Decimal("1250.00")
    assert revenue.values["variance"] == Decimal("-10750.00")
    assert revenue.values["percent_used"] == Decimal("10.42")
    assert revenue.kind == "under"
    fund_line = rows[(acct("8110").pk, general.pk)]
    assert fund_line.values["actual"] == Decimal("700.00")
    assert fund_line.values["budget"] == Decimal("600.00")
    assert fund_line.kind == "over"
    assert rows[(acct("8110").pk, None)].values.get("actual", Decimal(0)) == 0
    assert rows[(acct("8110").pk, None)].kind == "line"
    unbudgeted = rows[(acct("7220").pk, None)]
    assert unbudgeted.values["budget"] == 0
    assert "percent_used" not in unbudgeted.values
    assert unbudgeted.kind == "over"
    assert report.totals["total_revenue_budget"] == Decimal("12000.00")
    assert report.totals["total_expenses_actual"] == Decimal("730.00")
    assert report.totals["total_expenses_budget"] == Decimal("720.00")
    assert report.totals["net_actual"] == Decimal("520.00")
    assert report.totals["net_variance"] == Decimal("520.00") - Decimal("11280.00")


def test_budget_vs_actual_through_a_month(books: Organization, cast: Any) -> None:
    year = current_fiscal_year(books)
    amounts = [Decimal(m) for m in range(1, 13)]
    services.budget_save(
        **who(books, cast["finance"]),
        fiscal_year=year,
        lines=[LineIn(acct("8110").pk, None, None, amounts)],
        expected_version=None,
    )
    report = selectors.budget_vs_actual(organization=books, fiscal_year=year, through_month=3)
    assert report.row("total_expenses").values["budget"] == Decimal("6.00")
    assert "through" in report.period


def test_copy_from_last_years_actuals_with_a_percentage(books: Organization, cast: Any) -> None:
    year = current_fiscal_year(books)
    first_month = year_months(books, year - 1)[0]
    post(books, cast["admin"], first_month.start, "8110", "1010", "100.00")
    post(books, cast["admin"], first_month.start, "1010", "4010", "333.33")
    budget = services.budget_copy(
        **who(books, cast["finance"]),
        fiscal_year=year,
        source="actuals",
        percent=Decimal("10"),
        expected_version=None,
    )
    lines = {x.account.number: x.amounts for x in selectors.budget_lines(budget)}
    assert lines["8110"][0] == Decimal("110.00")
    assert lines["4010"][0] == Decimal("366.66")  # 366.663 rounded to the cent
    assert lines["8110"][1:] == [Decimal("0.00")] * 11


def test_copy_from_last_years_budget(books: Organization, cast: Any, general: Fund) -> None:
    year = current_fiscal_year(books)
    services.budget_save(
        **who(books, cast["finance"]),
        fiscal_year=year - 1,
        lines=[line("8110", "200.00", fund=general.pk)],
        expected_version=None,
    )
    budget = services.budget_copy(
        **who(books, cast["finance"]),
        fiscal_year=year,
        source="budget",
        percent=Decimal("-2.5"),
        expected_version=None,
    )
    (copied,) = selectors.budget_lines(budget)
    assert copied.fund_id == general.pk
    assert copied.amounts == twelve("195.00")
    with pytest.raises(ServiceError, match="no budget for FY"):
        services.budget_copy(
            **who(books, cast["finance"]),
            fiscal_year=year + 5,
            source="budget",
            percent=Decimal("0"),
            expected_version=None,
        )


def test_fiscal_years_are_named_by_the_year_they_end_in(org_a: Organization) -> None:
    org_a.fiscal_year_start_month = 7
    assert [str(d) for d in year_bounds(org_a, 2026)] == ["2025-07-01", "2026-06-30"]
    assert year_months(org_a, 2026)[0].label == "Jul 2025"
