"""Fiscal years as budgets name them: by the calendar year they end in, months 1 to 12."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from ifm.ledger.periods.fiscal_years import fiscal_year_bounds, organization_today
from ifm.tenancy.models import Organization

FIRST_YEAR, LAST_YEAR = 1902, 2199


@dataclass(frozen=True)
class Month:
    number: int  # 1 to 12, in the fiscal year
    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{calendar.month_abbr[self.start.month]} {self.start.year}"


def year_bounds(organization: Organization, fiscal_year: int) -> tuple[date, date]:
    """First and last day of the fiscal year that ends in `fiscal_year`."""
    start_month = organization.fiscal_year_start_month
    end_month = 12 if start_month == 1 else start_month - 1
    start, end, _name = fiscal_year_bounds(organization, date(fiscal_year, end_month, 1))
    return start, end


def year_months(organization: Organization, fiscal_year: int) -> list[Month]:
    start, _end = year_bounds(organization, fiscal_year)
    months = []
    year, month = start.year, start.month
    for number in range(1, 13):
        last = calendar.monthrange(year, month)[1]
        months.append(Month(number, date(year, month, 1), date(year, month, last)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def current_fiscal_year(organization: Organization) -> int:
    """The fiscal year that holds today, where the organization is."""
    return fiscal_year_bounds(organization, organization_today(organization))[1].year


def year_name(fiscal_year: int) -> str:
    return f"FY{fiscal_year}"
