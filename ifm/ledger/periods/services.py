"""Fiscal years and periods: creating a year, the open period of a date, closing and
reopening a period."""

from __future__ import annotations

import calendar
from datetime import date

from django.utils import timezone

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.api_types import EARLIEST_DATE
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.org_context import org_context
from ifm.ledger.models import FiscalYear, Period, PeriodStatus
from ifm.ledger.periods.fiscal_years import (
    EARLIEST_MESSAGE,
    PostingCalendar,
    date_error,
    fiscal_year_bounds,
)
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service


def fiscal_year_ensure(*, organization: Organization, on: date) -> FiscalYear:
    """The fiscal year containing `on`, created with its twelve monthly periods if missing.

    An explicit set-up step (a new organization's first year, generated history): it creates
    the year wherever it lies (after 1900, EARLIEST_DATE). Posting never calls it for a date that
    `fiscal_years.PostingCalendar` refuses, so a mistyped date cannot open a stray year."""
    if on < EARLIEST_DATE:
        raise date_error(EARLIEST_MESSAGE)
    start, end, name = fiscal_year_bounds(organization, on)
    with org_context(organization):
        fy = FiscalYear.objects.filter(start_date=start).first()
        if fy is not None:
            return fy
        fy = FiscalYear.objects.create(name=name, start_date=start, end_date=end)
        y, m = start.year, start.month
        periods = []
        for _ in range(12):
            last = calendar.monthrange(y, m)[1]
            periods.append(
                Period(
                    organization=organization,
                    fiscal_year=fy,
                    name=f"{y}-{m:02d}",
                    start_date=date(y, m, 1),
                    end_date=date(y, m, last),
                )
            )
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        Period.objects.bulk_create(periods)
        return fy


def open_period_for(
    organization: Organization, on: date, years: PostingCalendar | None = None
) -> Period:
    """The open period holding `on`, its fiscal year started if the rules of
    `fiscal_years` allow; otherwise a 422 on `date` that says which years are open.
    A bulk posting passes one calendar (`years`) for all its dates."""
    (years or PostingCalendar.load(organization)).check(on)
    period = Period.objects.filter(start_date__lte=on, end_date__gte=on).first()
    if period is None:
        fiscal_year_ensure(organization=organization, on=on)
        period = Period.objects.get(start_date__lte=on, end_date__gte=on)
    if period.status != PeriodStatus.OPEN:
        raise closed_period(period.name)
    return period


def closed_period(name: str) -> ServiceError:
    return ServiceError(
        f"The period {name} is closed: choose a date in an open period, "
        "or ask finance to reopen it.",
        field="date",
    )


@org_service("ledger.close_periods")
def period_close(
    *, organization: Organization, actor: User, access: Access | None, period: Period
) -> Period:
    """Close one month. Months close in order: an open month before a closed one could still
    take entries that change the balances the closed month was closed on, so it is refused
    while an earlier month of the books is open (`books_close_through` closes them together)."""
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.status == PeriodStatus.CLOSED:
        raise ConflictError(message=f"The period {period.name} is already closed.")
    earlier = list(
        Period.objects.filter(start_date__lt=period.start_date, status=PeriodStatus.OPEN)
        .order_by("start_date")
        .values_list("name", flat=True)
    )
    if earlier:
        raise ServiceError(out_of_order_message(period.name, earlier), field="period")
    _close(organization=organization, actor=actor, period=period, through=period)
    return period


def out_of_order_message(name: str, earlier: list[str]) -> str:
    shown = ", ".join(earlier[:6]) + (f" and {len(earlier) - 6} more" if len(earlier) > 6 else "")
    months = "month is" if len(earlier) == 1 else "months are"
    return (
        f"{name} cannot be closed while an earlier {months} still open ({shown}): months close "
        f"in order. Close the books through {name} to close them all at once."
    )


@org_service("ledger.close_periods")
def books_close_through(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    period: Period,
    expected: list[int] | None = None,
) -> list[Period]:
    """Close every open month up to and including `period`, in one transaction.

    `expected` is the list of period ids the person confirmed (from `period_close_plan`): if the
    months to close are no longer those (someone closed or reopened one meanwhile), nothing is
    closed and a 409 asks to review again, so the confirmation always named what was locked."""
    to_close = list(
        Period.objects.select_for_update()
        .filter(start_date__lte=period.start_date, status=PeriodStatus.OPEN)
        .order_by("start_date")
    )
    if not to_close:
        raise ConflictError(message=f"The books are already closed through {period.name}.")
    if expected is not None and sorted(expected) != sorted(p.pk for p in to_close):
        raise ConflictError(
            message=(
                "The months to close have changed since they were shown: review what will be "
                "locked and confirm again."
            )
        )
    for each in to_close:
        _close(organization=organization, actor=actor, period=each, through=period)
    return to_close


def _close(*, organization: Organization, actor: User, period: Period, through: Period) -> None:
    period.status = PeriodStatus.CLOSED
    period.closed_at = timezone.now()
    period.closed_by = actor
    period.save(update_fields=["status", "closed_at", "closed_by"])
    changes: dict[str, object] = {"status": {"before": "open", "after": "closed"}}
    if through.pk != period.pk:
        changes["closed_through"] = through.name
    audit_record(
        action="period.close",
        actor=actor,
        organization=organization,
        obj=period,
        changes=changes,
    )


@org_service("ledger.close_periods")
def period_reopen(
    *, organization: Organization, actor: User, access: Access | None, period: Period, reason: str
) -> Period:
    if not reason.strip():
        raise ServiceError("Say why the period is reopened.", field="reason")
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.status == PeriodStatus.OPEN:
        raise ConflictError(message=f"The period {period.name} is already open.")
    if period.fiscal_year.status == PeriodStatus.CLOSED:
        raise ServiceError(
            f"The fiscal year {period.fiscal_year.name} is closed: reopen the year first."
        )
    period.status = PeriodStatus.OPEN
    period.closed_at = None
    period.closed_by = None
    period.save(update_fields=["status", "closed_at", "closed_by"])
    audit_record(
        action="period.reopen",
        actor=actor,
        organization=organization,
        obj=period,
        changes={"status": {"before": "closed", "after": "open"}, "reason": reason.strip()},
    )
    return period
