"""Reads of periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, QuerySet

from ifm.ledger.models import JournalEntry, Period, PeriodStatus

# The periods page's `status` filter.
PERIOD_FILTERS = {
    "open": "Open",
    "closed": "Closed",
    "to_close": "Ended, still open",
}


def period_for(on: date) -> Period | None:
    return Period.objects.filter(start_date__lte=on, end_date__gte=on).first()


@dataclass(frozen=True)
class ClosePlan:
    """What closing the books through a month locks: the open months up to it, oldest first,
    each with the number of entries it holds."""

    through: Period
    periods: list[tuple[Period, int]]

    @property
    def entry_count(self) -> int:
        return sum(count for _, count in self.periods)

    @property
    def period_ids(self) -> list[int]:
        return [period.pk for period, _ in self.periods]

    @property
    def earlier_open(self) -> bool:
        """Whether months before `through` are open too (closing it alone would be refused)."""
        return any(period.pk != self.through.pk for period, _ in self.periods)


def period_close_plan(*, period: Period) -> ClosePlan:
    periods = list(
        Period.objects.filter(start_date__lte=period.start_date, status=PeriodStatus.OPEN)
        .select_related("fiscal_year")
        .order_by("start_date")
    )
    counts = dict(
        JournalEntry.objects.filter(period__in=periods)
        .values("period_id")
        .annotate(n=Count("id"))
        .values_list("period_id", "n")
    )
    return ClosePlan(through=period, periods=[(p, counts.get(p.pk, 0)) for p in periods])


def period_list(*, status: str = "", today: date) -> QuerySet[Period]:
    """Periods in date order; `status` (a key of PERIOD_FILTERS) keeps the open ones, the
    closed ones, or those still open after their last day ("to_close": the month-end work left)."""
    periods = Period.objects.order_by("start_date")
    if status == "open":
        periods = periods.filter(status=PeriodStatus.OPEN)
    elif status == "closed":
        periods = periods.filter(status=PeriodStatus.CLOSED)
    elif status == "to_close":
        periods = periods.filter(status=PeriodStatus.OPEN, end_date__lt=today)
    return periods
