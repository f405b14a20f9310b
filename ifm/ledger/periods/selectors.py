"""Reads of periods."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from ifm.ledger.models import Period, PeriodStatus

# The periods page's `status` filter.
PERIOD_FILTERS = {
    "open": "Open",
    "closed": "Closed",
    "to_close": "Ended, still open",
}


def period_for(on: date) -> Period | None:
    return Period.objects.filter(start_date__lte=on, end_date__gte=on).first()


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
