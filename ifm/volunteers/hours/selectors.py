"""Reads of hours: the filtered list, the approval queue, a volunteer's approved total and the
milestones it reached. Only approved hours count towards a total."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from ifm.volunteers.models import HoursEntry, HoursStatus, Volunteer

MILESTONES = (25, 50, 100, 250, 500)
ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def hours_list(
    *,
    status: str = "",
    volunteer_id: int | None = None,
    opportunity_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    source: str = "",
    q: str = "",
) -> QuerySet[HoursEntry]:
    """Hours entries of the current organization, newest first, filtered."""
    qs = HoursEntry.objects.select_related("volunteer", "opportunity", "logged_by", "reviewed_by")
    if status:
        qs = qs.filter(status=status)
    if volunteer_id:
        qs = qs.filter(volunteer_id=volunteer_id)
    if opportunity_id:
        qs = qs.filter(opportunity_id=opportunity_id)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    if source:
        qs = qs.filter(source=source)
    for word in q.split()[:5]:
        qs = qs.filter(
            Q(volunteer__first_name__icontains=word)
            | Q(volunteer__last_name__icontains=word)
            | Q(volunteer__email__icontains=word)
            | Q(description__icontains=word)
            | Q(opportunity__title__icontains=word)
        )
    return qs.order_by("-date", "-id")


def approval_queue(**filters: Any) -> QuerySet[HoursEntry]:
    """Hours waiting for approval, oldest first."""
    filters["status"] = HoursStatus.PENDING
    return hours_list(**filters).order_by("date", "id")


def hours_totals(qs: QuerySet[HoursEntry]) -> dict[str, Any]:
    """Count and hours of a list, and its approved hours (the ones that count)."""
    agg = qs.order_by().aggregate(
        all_hours=Sum("hours"),
        approved_hours=Sum("hours", filter=Q(status=HoursStatus.APPROVED)),
    )
    return {
        "count": qs.count(),
        "hours": (agg["all_hours"] or ZERO).quantize(CENT),
        "approved": (agg["approved_hours"] or ZERO).quantize(CENT),
    }


def any_hours() -> bool:
    return HoursEntry.objects.exists()


def dashboard_figures(month_start: date, today: date) -> tuple[int, int, Decimal]:
    """The dashboard's figures in one read: how many hours entries there are at all, how many
    wait for a decision, and the hours approved from `month_start` to `today`."""
    row = HoursEntry.objects.order_by().aggregate(
        entries=Count("pk"),
        pending=Count("pk", filter=Q(status=HoursStatus.PENDING)),
        approved=Sum(
            "hours",
            filter=Q(status=HoursStatus.APPROVED, date__gte=month_start, date__lte=today),
        ),
    )
    return row["entries"], row["pending"], (row["approved"] or ZERO).quantize(CENT)


def pending_count() -> int:
    return HoursEntry.objects.filter(status=HoursStatus.PENDING).count()


def approved_hours_between(date_from: date, date_to: date) -> Decimal:
    total = (
        HoursEntry.objects.filter(
            status=HoursStatus.APPROVED, date__gte=date_from, date__lte=date_to
        )
        .order_by()
        .aggregate(total=Sum("hours"))["total"]
    )
    return (total or ZERO).quantize(CENT)


@dataclass(frozen=True)
class Milestones:
    """A volunteer's approved hours and the milestones (25, 50, 100, 250, 500) reached."""

    total: Decimal
    reached: list[int]
    next: int | None

    @property
    def to_next(self) -> Decimal | None:
        return None if self.next is None else (Decimal(self.next) - self.total).quantize(CENT)

    @property
    def percent_to_next(self) -> int:
        """How far from the last milestone reached to the next, in whole percent."""
        if self.next is None:
            return 100
        start = Decimal(self.reached[-1]) if self.reached else ZERO
        span = Decimal(self.next) - start
        return max(0, min(100, int((self.total - start) / span * 100)))


def milestones_for_total(total: Decimal) -> Milestones:
    reached = [m for m in MILESTONES if total >= m]
    upcoming = [m for m in MILESTONES if total < m]
    return Milestones(total=total, reached=reached, next=upcoming[0] if upcoming else None)


def volunteer_milestones(volunteer: Volunteer | int) -> Milestones:
    """The volunteer's approved hours (all time) and their milestones."""
    pk = volunteer if isinstance(volunteer, int) else volunteer.pk
    total = (
        HoursEntry.objects.filter(volunteer_id=pk, status=HoursStatus.APPROVED)
        .order_by()
        .aggregate(total=Sum("hours"))["total"]
    )
    return milestones_for_total((total or ZERO).quantize(CENT))
