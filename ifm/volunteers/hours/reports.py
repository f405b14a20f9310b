"""The volunteer reports for a date range (the organization's calendar days): approved hours by
volunteer, opportunity, program and month; active volunteers and retention; the no-show rate;
the value of volunteer time.

Definitions (docs/volunteers.md, "Hours and reports"):
- Only approved hours count; an entry counts on its date.
- Active in a period: approved hours dated in it, or a check-in at the kiosk during it.
- Retained: active in the previous period (as long as this one, just before it) and active again
  in this one; retention rate = retained / active in the previous period.
- No-show rate: of the confirmed sign-ups of shifts that started in the period and are over (and
  not cancelled), the share never checked in.
- Value of volunteer time: approved hours x the organization's hourly value. A figure for
  reports: GAAP recognizes contributed services only in narrow cases, so nothing is posted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ifm.tenancy.models import Organization
from ifm.volunteers.hours.selectors import ZERO
from ifm.volunteers.hours.services import settings_for
from ifm.volunteers.models import HoursEntry, HoursStatus, SignUp, SignUpStatus

CENT = Decimal("0.01")
TABLES = ("volunteers", "opportunities", "programs", "months")


@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        end = self.date_from - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """From the first day's midnight to the midnight after the last, in `zone`."""
        start = datetime.combine(self.date_from, time.min, tzinfo=zone)
        end = datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=zone)
        return start, end


@dataclass(frozen=True)
class Row:
    label: str
    hours: Decimal
    entries: int
    value: Decimal
    volunteers: int = 0
    key: str = ""


@dataclass
class HoursReport:
    period: Period
    hourly_value: Decimal
    total_hours: Decimal
    total_value: Decimal
    entries: int
    by_volunteer: list[Row] = field(default_factory=list)
    by_opportunity: list[Row] = field(default_factory=list)
    by_program: list[Row] = field(default_factory=list)
    by_month: list[Row] = field(default_factory=list)
    active: int = 0
    active_previous: int = 0
    retained: int = 0
    signups_past: int = 0
    no_shows: int = 0

    @property
    def retention_rate(self) -> Decimal | None:
        """Retained over active in the previous period, in percent to one place."""
        if not self.active_previous:
            return None
        return percent(self.retained, self.active_previous)

    @property
    def no_show_rate(self) -> Decimal | None:
        if not self.signups_past:
            return None
        return percent(self.no_shows, self.signups_past)

    def table(self, name: str) -> list[Row]:
        return {
            "volunteers": self.by_volunteer,
            "opportunities": self.by_opportunity,
            "programs": self.by_program,
            "months": self.by_month,
        }[name]


def percent(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def hours_of(total: Decimal | None) -> Decimal:
    """A sum of hours with its two places (SQLite's sums come back without them)."""
    return (total or ZERO).quantize(CENT)


def value_of(hours: Decimal, rate: Decimal) -> Decimal:
    return (hours * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def _approved(period: Period) -> QuerySet[HoursEntry]:
    return HoursEntry.objects.filter(
        status=HoursStatus.APPROVED, date__gte=period.date_from, date__lte=period.date_to
    ).order_by()


def active_volunteer_ids(organization: Organization, period: Period) -> set[int]:
    """Volunteers with approved hours dated in the period or a check-in during it."""
    start, end = period.bounds(ZoneInfo(organization.time_zone))
    with_hours = set(_approved(period).values_list("volunteer_id", flat=True).distinct())
    checked_in = set(
        SignUp.objects.filter(checked_in_at__gte=start, checked_in_at__lt=end)
        .order_by()
        .values_list("volunteer_id", flat=True)
        .distinct()
    )
    return with_hours | checked_in


def no_show_counts(organization: Organization, period: Period) -> tuple[int, int]:
    """(confirmed sign-ups of past shifts that started in the period, those never checked in)."""
    start, end = period.bounds(ZoneInfo(organization.time_zone))
    past = SignUp.objects.filter(
        status=SignUpStatus.CONFIRMED,
        shift__starts_at__gte=start,
        shift__starts_at__lt=end,
        shift__ends_at__lte=timezone.now(),
        shift__is_cancelled=False,
    ).order_by()
    total = past.count()
    return total, past.filter(checked_in_at__isnull=True).count()


def months_of(period: Period) -> list[date]:
    first = period.date_from.replace(day=1)
    months = []
    while first <= period.date_to:
        months.append(first)
        first = (first + timedelta(days=32)).replace(day=1)
    return months


def _rows(
    values: Any,
    label_of: Callable[[dict[str, Any]], str],
    key_of: Callable[[dict[str, Any]], str],
    rate: Decimal,
) -> list[Row]:
    rows = [
        Row(
            label=label_of(v),
            hours=hours_of(v["sum_hours"]),
            entries=v["entries"],
            value=value_of(hours_of(v["sum_hours"]), rate),
            volunteers=v.get("people", 0),
            key=key_of(v),
        )
        for v in values
    ]
    return sorted(rows, key=lambda r: (-r.hours, r.label))


def hours_report(organization: Organization, period: Period) -> HoursReport:
    """Every figure of the report for the period (about ten queries, whatever the data)."""
    rate = settings_for(organization).hourly_value
    approved = _approved(period)
    totals = approved.aggregate(sum_hours=Sum("hours"), entries=Count("id"))
    total = hours_of(totals["sum_hours"])
    report = HoursReport(
        period=period,
        hourly_value=rate,
        total_hours=total,
        total_value=value_of(total, rate),
        entries=totals["entries"],
    )
    report.by_volunteer = _rows(
        list(
            approved.values(
                "volunteer_id", "volunteer__first_name", "volunteer__last_name"
            ).annotate(sum_hours=Sum("hours"), entries=Count("id"))
        ),
        lambda v: ", ".join(
            p for p in (v["volunteer__last_name"], v["volunteer__first_name"]) if p
        ),
        lambda v: str(v["volunteer_id"]),
        rate,
    )
    report.by_opportunity = _rows(
        list(
            approved.values("opportunity_id", "opportunity__title").annotate(
                sum_hours=Sum("hours"),
                entries=Count("id"),
                people=Count("volunteer_id", distinct=True),
            )
        ),
        lambda v: v["opportunity__title"] or "No opportunity",
        lambda v: str(v["opportunity_id"] or ""),
        rate,
    )
    report.by_program = _rows(
        list(
            approved.values(
                "opportunity__program_id",
                "opportunity__program__code",
                "opportunity__program__name",
            ).annotate(
                sum_hours=Sum("hours"),
                entries=Count("id"),
                people=Count("volunteer_id", distinct=True),
            )
        ),
        lambda v: (
            f"{v['opportunity__program__code']} {v['opportunity__program__name']}"
            if v["opportunity__program_id"]
            else "No program"
        ),
        lambda v: str(v["opportunity__program_id"] or ""),
        rate,
    )
    per_month = {
        (v["month"].date() if isinstance(v["month"], datetime) else v["month"]): v
        for v in approved.annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(
            sum_hours=Sum("hours"), entries=Count("id"), people=Count("volunteer_id", distinct=True)
        )
    }
    report.by_month = []
    for month in months_of(period):
        v: Any = per_month.get(month, {})
        hours = hours_of(v.get("sum_hours"))
        report.by_month.append(
            Row(
                label=f"{month:%Y-%m}",
                hours=hours,
                entries=v.get("entries", 0),
                value=value_of(hours, rate),
                volunteers=v.get("people", 0),
                key=f"{month:%Y-%m}",
            )
        )
    current = active_volunteer_ids(organization, period)
    previous = active_volunteer_ids(organization, period.previous())
    report.active = len(current)
    report.active_previous = len(previous)
    report.retained = len(current & previous)
    report.signups_past, report.no_shows = no_show_counts(organization, period)
    return report
