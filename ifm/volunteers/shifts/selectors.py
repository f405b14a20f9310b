"""Reads of opportunities, shifts, their roles and rosters. Every query is scoped to the
organization in context; counts of sign-ups are annotated in the same query as the rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from ifm.volunteers.models import (
    Opportunity,
    OpportunityQualification,
    Shift,
    ShiftRole,
    SignUp,
    SignUpStatus,
)

FIRST_DAY, LAST_DAY = date(1901, 1, 1), date(2199, 12, 31)


def _signup_count(status: str, **outer: str) -> Coalesce:
    counted = (
        SignUp.objects.filter(status=status, **{k: OuterRef(v) for k, v in outer.items()})
        .order_by()
        .values(next(iter(outer)))
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _upcoming_shift_count() -> Coalesce:
    counted = (
        Shift.objects.filter(
            opportunity=OuterRef("pk"), is_cancelled=False, ends_at__gt=timezone.now()
        )
        .order_by()
        .values("opportunity")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


# --- Opportunities -----------------------------------------------------------------------------


def opportunity_list(
    *, q: str = "", program_id: int | None = None, archived: bool | None = False
) -> QuerySet[Opportunity]:
    """Opportunities by title, each with `upcoming_shifts` (not cancelled, not over).
    `archived`: False (default) the active ones, True the archived ones, None all."""
    rows = Opportunity.objects.select_related("program", "coordinator").annotate(
        upcoming_shifts=_upcoming_shift_count()
    )
    if archived is not None:
        rows = rows.filter(is_archived=archived)
    if program_id:
        rows = rows.filter(program_id=program_id)
    text = " ".join(q.split())
    if text:
        rows = rows.filter(
            Q(title__icontains=text) | Q(location__icontains=text) | Q(description__icontains=text)
        )
    return rows.order_by("title", "id")


def opportunity_get(opportunity_id: int) -> Opportunity | None:
    return (
        Opportunity.objects.select_related("program", "coordinator")
        .annotate(upcoming_shifts=_upcoming_shift_count())
        .filter(pk=opportunity_id)
        .first()
    )


def opportunity_qualification_ids(opportunity: Opportunity) -> list[int]:
    return list(
        OpportunityQualification.objects.filter(opportunity=opportunity).values_list(
            "qualification_type_id", flat=True
        )
    )


def opportunity_qualification_names(opportunity: Opportunity) -> list[str]:
    return list(opportunity.required_qualifications.order_by("name").values_list("name", flat=True))


# --- Shifts ------------------------------------------------------------------------------------


def day_bounds(day: date, zone: str) -> tuple[datetime, datetime]:
    """The instants a day of the organization's calendar starts and ends (UTC). Days beyond
    the years shifts take are clamped to them (no time zone then overflows the calendar)."""
    day = min(max(day, FIRST_DAY), LAST_DAY)
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time.min, tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tz)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def with_counts(shifts: QuerySet[Shift]) -> QuerySet[Shift]:
    """Each shift with `confirmed_count`, `waitlisted_count` and `open_places` (spots left)."""
    return shifts.annotate(
        confirmed_count=_signup_count(SignUpStatus.CONFIRMED, shift="pk"),
        waitlisted_count=_signup_count(SignUpStatus.WAITLISTED, shift="pk"),
    ).annotate(open_places=Greatest(F("capacity") - F("confirmed_count"), Value(0)))


def shift_list(
    *,
    zone: str,
    date_from: date | None = None,
    date_to: date | None = None,
    opportunity_id: int | None = None,
    include_cancelled: bool = False,
    upcoming: bool = True,
) -> QuerySet[Shift]:
    """Shifts soonest first with their counts. `date_from`/`date_to` are days of the
    organization's calendar (`zone`), both included; without `date_from`, `upcoming` keeps the
    shifts not yet over."""
    shifts = Shift.objects.select_related("opportunity")
    if date_from is not None:
        shifts = shifts.filter(ends_at__gt=day_bounds(date_from, zone)[0])
    elif upcoming:
        shifts = shifts.filter(ends_at__gt=timezone.now())
    if date_to is not None:
        shifts = shifts.filter(starts_at__lt=day_bounds(date_to, zone)[1])
    if opportunity_id:
        shifts = shifts.filter(opportunity_id=opportunity_id)
    if not include_cancelled:
        shifts = shifts.filter(is_cancelled=False)
    return with_counts(shifts).order_by("starts_at", "id")


def shift_get(shift_id: int) -> Shift | None:
    return with_counts(
        Shift.objects.select_related("opportunity", "series", "organization").filter(pk=shift_id)
    ).first()


def spots_left(shift: Shift) -> int:
    return max(shift.capacity - int(getattr(shift, "confirmed_count", 0) or 0), 0)


def role_list(shift: Shift) -> list[Any]:
    """The shift's roles, each with `confirmed_count` and `spots_left`."""
    roles = list(
        ShiftRole.objects.filter(shift_id=shift.pk)
        .annotate(confirmed_count=_signup_count(SignUpStatus.CONFIRMED, role="pk"))
        .order_by("name", "id")
    )
    for role in roles:
        role.spots_left = max(role.capacity - role.confirmed_count, 0)  # type: ignore[attr-defined]
    return roles


@dataclass
class Roster:
    confirmed: list[SignUp]
    waitlisted: list[SignUp]  # in the order they will be offered a place
    cancelled: list[SignUp]


def roster(shift: Shift) -> Roster:
    signups = list(
        SignUp.objects.filter(shift_id=shift.pk)
        .select_related("volunteer", "role")
        .order_by("signed_up_at", "id")
    )
    return Roster(
        confirmed=[s for s in signups if s.status == SignUpStatus.CONFIRMED],
        waitlisted=[s for s in signups if s.status == SignUpStatus.WAITLISTED],
        cancelled=[s for s in signups if s.status == SignUpStatus.CANCELLED],
    )


def signup_get(signup_id: int) -> SignUp | None:
    return (
        SignUp.objects.select_related("shift__opportunity", "volunteer", "role")
        .filter(pk=signup_id)
        .first()
    )


def open_shifts_between(start: datetime, end: datetime) -> QuerySet[Shift]:
    """Shifts not cancelled starting in [start, end) that still have places."""
    return (
        with_counts(
            Shift.objects.filter(
                starts_at__gte=start,
                starts_at__lt=end,
                is_cancelled=False,
                opportunity__is_archived=False,
            )
        )
        .filter(Q(confirmed_count__lt=F("capacity")))
        .order_by("starts_at", "id")
    )
