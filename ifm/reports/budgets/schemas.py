"""Budgets in JSON: twelve amounts per line as decimal strings, month 1 first."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from ifm.core.api import InputSchema
from ifm.core.api_types import Id, Money, Version
from ifm.ledger.api_types import money
from ifm.reports.budgets.models import Budget, BudgetLine
from ifm.reports.budgets.selectors import budget_lines
from ifm.reports.budgets.services import MAX_LINES
from ifm.reports.budgets.years import year_bounds, year_months, year_name

Percent = Annotated[
    str,
    Field(
        pattern=r"^-?(0|[1-9][0-9]{0,3})(\.[0-9]{1,2})?$",
        max_length=8,
        description='A percentage from "-100" to "1000", such as "3.5".',
        examples=["3.00"],
    ),
]


class BudgetLineIn(InputSchema):
    account_id: Id
    fund_id: Id | None = None
    program_id: Id | None = None
    amounts: list[Money] = Field(
        ..., min_length=12, max_length=12, description="Twelve amounts, month 1 of the year first."
    )


class BudgetIn(InputSchema):
    version: Version | None = Field(
        None, description="The version you read; required to replace a budget that exists."
    )
    lines: list[BudgetLineIn] = Field(..., max_length=MAX_LINES)


class BudgetCopyIn(InputSchema):
    source: Literal["actuals", "budget"]
    percent: Percent = "0"
    version: Version | None = Field(
        None, description="The version you read; required to replace a budget that exists."
    )


class BudgetLineOut(Schema):
    account_id: int
    account_number: str
    account_name: str
    fund_id: int | None
    fund_code: str | None
    program_id: int | None
    program_code: str | None
    amounts: list[str]
    total: str


class BudgetSummaryOut(Schema):
    """A budget of the list (a row of `selectors.budget_queryset`, with its totals)."""

    fiscal_year: int
    name: str
    version: int
    lines: int
    total_revenue: str
    total_expenses: str
    updated_at: datetime

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return year_name(obj.fiscal_year)

    @staticmethod
    def resolve_lines(obj: Any) -> int:
        return int(obj.line_count)

    @staticmethod
    def resolve_total_revenue(obj: Any) -> str:
        return money(obj.revenue)

    @staticmethod
    def resolve_total_expenses(obj: Any) -> str:
        return money(obj.expenses)


class BudgetOut(Schema):
    fiscal_year: int
    name: str
    start_date: date
    end_date: date
    months: list[str]
    version: int
    updated_at: datetime
    lines: list[BudgetLineOut]
    total_revenue: str
    total_expenses: str


def line_json(line: BudgetLine) -> dict[str, Any]:
    return {
        "account_id": line.account_id,
        "account_number": line.account.number,
        "account_name": line.account.name,
        "fund_id": line.fund_id,
        "fund_code": line.fund.code if line.fund else None,
        "program_id": line.program_id,
        "program_code": line.program.code if line.program else None,
        "amounts": [money(a) for a in line.amounts],
        "total": money(line.total),
    }


def budget_json(budget: Budget) -> dict[str, Any]:
    org = budget.organization
    start, end = year_bounds(org, budget.fiscal_year)
    lines = budget_lines(budget)
    revenue = sum((x.total for x in lines if x.account.type == "revenue"), start=0)
    expenses = sum((x.total for x in lines if x.account.type == "expense"), start=0)
    return {
        "fiscal_year": budget.fiscal_year,
        "name": year_name(budget.fiscal_year),
        "start_date": start,
        "end_date": end,
        "months": [m.label for m in year_months(org, budget.fiscal_year)],
        "version": budget.version,
        "updated_at": budget.updated_at,
        "lines": [line_json(x) for x in lines],
        "total_revenue": money(revenue),  # type: ignore[arg-type]
        "total_expenses": money(expenses),  # type: ignore[arg-type]
    }
