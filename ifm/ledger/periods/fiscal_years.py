"""Which dates the books take: the fiscal-year rules every posting path shares.

Every entry (manual journal entries, donations, expenses, imports, opening balances,
reversals, year-end closes) reaches the journal through ``post_entry`` or ``post_entries``,
and both ask this module before a date is used. The rules, in the order they are checked:

1. No date before ``EARLIEST_DATE`` (1901-01-01): fiscal years are computed from dates, so
   they are kept to sane years.
2. Nothing is posted into or before a closed fiscal year.
3. A date inside a fiscal year on record is fine (its period may still be closed on its own).
4. Otherwise the date would start a new fiscal year, which happens only next to the years on
   record: the year right after the latest one, or the year right before the earliest open
   one (and any missing year between them), never before the organization's first fiscal year.

The organization's first fiscal year is the earlier of its earliest fiscal year on record and
the year before the one it was created in (in its own time zone). A new organization gets the
year it is created in; the year before stays within reach so that gifts of last December and
opening balances dated the day before the books start can still be recorded. Years set up
explicitly with ``fiscal_year_ensure`` (the demo and load-test generators do this for history)
move the first year back to the earliest of them.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from ifm.core.api_types import EARLIEST_DATE, EARLIEST_RULE
from ifm.core.errors import ServiceError
from ifm.core.org_context import org_context
from ifm.ledger.models import FiscalYear, PeriodStatus
from ifm.tenancy.models import Organization

# The rule and its wording come from the one date, so they cannot disagree.
EARLIEST_MESSAGE = f"The date must be {EARLIEST_RULE}."


def fiscal_year_bounds(organization: Organization, on: date) -> tuple[date, date, str]:
    """First day, last day and name of the fiscal year that holds `on`."""
    start_month = organization.fiscal_year_start_month
    year = on.year if on.month >= start_month else on.year - 1
    start = date(year, start_month, 1)
    end_year, end_month = (year, 12) if start_month == 1 else (year + 1, start_month - 1)
    end = date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])
    name = f"FY{end.year}" if start_month != 1 else f"FY{year}"
    return start, end, name


def organization_today(organization: Organization) -> date:
    """Today's date where the organization is."""
    return timezone.localdate(timezone.now(), ZoneInfo(organization.time_zone))


def date_error(message: str) -> ServiceError:
    return ServiceError(message, field="date")


@dataclass(frozen=True)
class _Year:
    name: str
    start: date
    end: date
    closed: bool


class PostingCalendar:
    """The organization's fiscal years as they stand, and which dates they let be posted.

    Load it once (one small query) and ask it about as many dates as needed; a bulk posting
    checks every date of the batch against the years as they were before it started."""

    def __init__(self, organization: Organization, years: list[_Year]):
        self.organization = organization
        self.years = sorted(years, key=lambda y: y.start)

    @classmethod
    def load(cls, organization: Organization) -> PostingCalendar:
        with org_context(organization):
            rows = FiscalYear.objects.values_list("name", "start_date", "end_date", "status")
            years = [_Year(n, s, e, status == PeriodStatus.CLOSED) for n, s, e, status in rows]
        return cls(organization, years)

    # --- the years that matter --------------------------------------------------------------

    def _bounds(self, on: date) -> tuple[date, date, str]:
        return fiscal_year_bounds(self.organization, on)

    @property
    def last_closed(self) -> _Year | None:
        closed = [y for y in self.years if y.closed]
        return max(closed, key=lambda y: y.end) if closed else None

    @property
    def open_years(self) -> list[_Year]:
        """Open years that can still take entries (none lies before a closed year)."""
        last = self.last_closed
        return [y for y in self.years if not y.closed and (last is None or y.start > last.end)]

    def first_year(self) -> tuple[date, str]:
        """Start and name of the organization's first fiscal year (see the module's doc)."""
        created = timezone.localtime(
            self.organization.created_at, ZoneInfo(self.organization.time_zone)
        ).date()
        created_start, _end, _name = self._bounds(created)
        start, _end, name = self._bounds(created_start - timedelta(days=1))
        if self.years and self.years[0].start < start:
            return self.years[0].start, self.years[0].name
        return start, name

    def _openable(self) -> list[tuple[date, str]]:
        """Start and name of the years a date may still start: the one after the latest year,
        the one before the earliest open year, and any missing year between them."""
        if self.years:
            latest_end = self.years[-1].end
            open_years = self.open_years
            earliest = open_years[0].start if open_years else None
        else:
            created = timezone.localtime(
                self.organization.created_at, ZoneInfo(self.organization.time_zone)
            ).date()
            earliest, latest_end, _name = self._bounds(created)
        high = self._bounds(latest_end + timedelta(days=1))
        low = self._bounds(earliest - timedelta(days=1)) if earliest else high
        first_start, _first_name = self.first_year()
        last = self.last_closed
        found: list[tuple[date, str]] = []
        on = low[0]
        while on <= high[0]:
            start, end, name = self._bounds(on)
            taken = any(y.start <= end and start <= y.end for y in self.years)
            if not taken and start >= first_start and (last is None or start > last.end):
                found.append((start, name))
            on = end + timedelta(days=1)
        return found

    def describe(self) -> str:
        """Which fiscal years are open, and which dates would start a new one."""
        names = [y.name for y in self.open_years]
        text = f"Open fiscal years: {', '.join(names)}." if names else "No fiscal year is open."
        openable = [name for _start, name in self._openable()]
        if openable:
            others = ", ".join(openable[:-1]) + " or " if len(openable) > 1 else ""
            text += f" A date in {others}{openable[-1]} starts that year."
        return text

    # --- the rule ---------------------------------------------------------------------------

    def problem(self, on: date) -> str | None:
        """Why `on` cannot be posted, or None when it can (a closed period aside)."""
        if on < EARLIEST_DATE:
            return f"{EARLIEST_MESSAGE} {self.describe()}"
        last = self.last_closed
        if last is not None and on <= last.end:
            where = "in" if on >= last.start else "before"
            return (
                f"{on} is {where} the closed fiscal year {last.name}: nothing can be posted "
                f"into or before a closed year. {self.describe()}"
            )
        if any(y.start <= on <= y.end for y in self.years):
            return None
        start, end, name = self._bounds(on)
        if any(y.start <= end and start <= y.end for y in self.years):
            return (
                f"{on} would start {name} ({start} to {end}), which overlaps a fiscal year on "
                f"record: the fiscal year's first month has changed since. {self.describe()}"
            )
        first_start, first_name = self.first_year()
        if start < first_start:
            return (
                f"{on} is before the organization's first fiscal year, {first_name} "
                f"(from {first_start}). {self.describe()}"
            )
        if all(start != s for s, _name in self._openable()):
            return (
                f"{on} would start {name}, which is more than one year away from the fiscal "
                f"years on record. {self.describe()}"
            )
        return None

    def check(self, on: date) -> None:
        """Raise a 422 on the field `date` when `on` cannot be posted."""
        problem = self.problem(on)
        if problem is not None:
            raise date_error(problem)


def posting_calendar(*, organization: Organization) -> PostingCalendar:
    """The organization's fiscal years, to check posting dates against (imports check each
    row with it before anything is written)."""
    return PostingCalendar.load(organization)
