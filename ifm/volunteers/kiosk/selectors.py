"""What the kiosk reads: today's shifts (the organization's day) and who is on them. Only the
shifts of the day are read, through the (organization, starts_at) index, however many are
planned ahead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q
from django.utils import timezone

from ifm.tenancy.models import Organization
from ifm.volunteers.models import Shift, SignUp, SignUpStatus

# A shift longer than this that began the day before is not on today's list.
LONGEST_SHIFT = timedelta(hours=24)


def org_today(organization: Organization) -> date:
    return timezone.now().astimezone(ZoneInfo(organization.time_zone)).date()


def day_bounds(organization: Organization, day: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(organization.time_zone)
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


@dataclass
class KioskShift:
    shift: Shift
    signups: list[SignUp]
    confirmed: int

    @property
    def spots_left(self) -> int:
        return max(0, self.shift.capacity - self.confirmed)


def today_shifts(organization: Organization, *, q: str = "", letter: str = "") -> list[KioskShift]:
    """Today's shifts that are not cancelled, each with its confirmed sign-ups (by name); with
    `q`, only the sign-ups whose volunteer's name or email has every word typed; with `letter`,
    those whose last name (or first, without one) starts with it."""
    start, end = day_bounds(organization, org_today(organization))
    confirmed = SignUp.objects.filter(status=SignUpStatus.CONFIRMED).select_related(
        "volunteer", "role", "hours_entry"
    )
    shown = confirmed
    for word in q.split()[:5]:
        shown = shown.filter(
            Q(volunteer__first_name__icontains=word)
            | Q(volunteer__last_name__icontains=word)
            | Q(volunteer__email__icontains=word)
        )
    if letter:
        shown = shown.filter(
            Q(volunteer__last_name__istartswith=letter)
            | Q(volunteer__last_name="", volunteer__first_name__istartswith=letter)
        )
    shifts = (
        Shift.objects.filter(
            starts_at__gte=start - LONGEST_SHIFT,
            starts_at__lt=end,
            ends_at__gt=start,
            is_cancelled=False,
        )
        .select_related("opportunity")
        .prefetch_related(
            Prefetch(
                "signups",
                queryset=shown.order_by("volunteer__last_name", "volunteer__first_name", "id"),
                to_attr="kiosk_signups",
            ),
            Prefetch(
                "signups",
                queryset=SignUp.objects.filter(status=SignUpStatus.CONFIRMED).only("id", "shift"),
                to_attr="all_confirmed",
            ),
        )
        .order_by("starts_at", "id")
    )
    rows = []
    for shift in shifts:
        signups: list[Any] = getattr(shift, "kiosk_signups", [])
        if (q or letter) and not signups:
            continue
        rows.append(KioskShift(shift, signups, len(getattr(shift, "all_confirmed", []))))
    return rows


def is_today(organization: Organization, shift: Shift) -> bool:
    """The shift is on today's kiosk list (not cancelled, on the organization's today)."""
    start, end = day_bounds(organization, org_today(organization))
    return (
        not shift.is_cancelled
        and start - LONGEST_SHIFT <= shift.starts_at < end
        and shift.ends_at > start
    )
