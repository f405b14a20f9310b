"""Reads of the public pages: the organization behind a public slug, the upcoming shifts with
their places left (per role), a volunteer's own shifts.

The listing is a fixed number of queries whatever the number of shifts: the shifts of the
window with their confirmed count, the roles of those shifts with theirs, and the first shift
after the window (for the "later" link).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ifm.core.org_context import org_context
from ifm.tenancy.models import Organization
from ifm.volunteers.models import (
    Opportunity,
    Shift,
    ShiftRole,
    SignUp,
    SignUpStatus,
    Volunteer,
    VolunteerSettings,
)

WINDOW_DAYS = 7
MAX_SHIFTS = 120

CONFIRMED = Q(signups__status=SignUpStatus.CONFIRMED)


def public_organization(slug: str) -> Organization | None:
    """The organization whose public sign-up is open at this slug, or None (unknown slug,
    inactive organization, or public sign-up turned off)."""
    org = Organization.objects.filter(slug=slug).first()
    if org is None or not org.is_active:
        return None
    with org_context(org):
        enabled = (
            VolunteerSettings.objects.filter(organization_id=org.pk)
            .values_list("public_signup_enabled", flat=True)
            .first()
        )
    # No settings row yet: the default (open).
    return org if enabled is None or enabled else None


def contact_email(organization: Organization) -> str:
    return (
        VolunteerSettings.objects.filter(organization_id=organization.pk)
        .values_list("contact_email", flat=True)
        .first()
        or ""
    )


def volunteer_exists(email: str) -> bool:
    return Volunteer.objects.filter(email__iexact=email.strip()).exists()


def public_opportunities() -> QuerySet[Opportunity]:
    return Opportunity.objects.filter(is_public=True, is_archived=False)


def public_shifts(now: datetime | None = None) -> QuerySet[Shift]:
    """Shifts anyone may sign up for: of a public, current opportunity, not cancelled, not
    started."""
    return Shift.objects.filter(
        is_cancelled=False,
        starts_at__gt=now or timezone.now(),
        opportunity__is_public=True,
        opportunity__is_archived=False,
    )


@dataclass
class RoleRow:
    role: ShiftRole
    places_left: int


@dataclass
class ShiftRow:
    shift: Shift
    starts: datetime
    ends: datetime
    places_left: int
    roles: list[RoleRow] = field(default_factory=list)
    # Set by the page: its links, built once per page rather than reversed per row.
    url: str = ""
    opportunity_url: str = ""

    @property
    def is_full(self) -> bool:
        if self.places_left <= 0:
            return True
        return bool(self.roles) and all(r.places_left <= 0 for r in self.roles)


@dataclass
class Listing:
    days: list[tuple[date, list[ShiftRow]]]
    first_day: date
    today: date
    next_day: date | None
    previous_day: date | None

    @property
    def count(self) -> int:
        return sum(len(rows) for _, rows in self.days)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def shift_rows(shifts: list[Shift], zone: ZoneInfo) -> list[ShiftRow]:
    """Rows with places left for shifts annotated with `confirmed` (one query for the roles)."""
    roles: dict[int, list[RoleRow]] = {}
    for role in (
        ShiftRole.objects.filter(shift_id__in=[s.pk for s in shifts])
        .annotate(confirmed=Count("signups", filter=CONFIRMED))
        .order_by("name", "id")
    ):
        roles.setdefault(role.shift_id, []).append(
            RoleRow(role, max(role.capacity - role.confirmed, 0))
        )
    return [
        ShiftRow(
            shift=s,
            starts=s.starts_at.astimezone(zone),
            ends=s.ends_at.astimezone(zone),
            places_left=max(s.capacity - s.confirmed, 0),  # type: ignore[attr-defined]
            roles=roles.get(s.pk, []),
        )
        for s in shifts
    ]


def with_confirmed(qs: QuerySet[Shift]) -> QuerySet[Shift]:
    return qs.annotate(confirmed=Count("signups", filter=CONFIRMED))


def upcoming_listing(
    organization: Organization, *, opportunity: Opportunity | None = None, start: date | None = None
) -> Listing:
    """The public shifts of WINDOW_DAYS days from `start` (the organization's today by default),
    grouped by day in its time zone; at most MAX_SHIFTS, cut at a day's end."""
    zone = ZoneInfo(organization.time_zone)
    now = timezone.now()
    today = now.astimezone(zone).date()
    first_day = max(start or today, today)
    window_end = local_midnight(first_day + timedelta(days=WINDOW_DAYS), zone)
    base = public_shifts(now)
    if opportunity is not None:
        base = base.filter(opportunity_id=opportunity.pk)
    shifts = list(
        with_confirmed(
            base.filter(starts_at__gte=local_midnight(first_day, zone), starts_at__lt=window_end)
        )
        .select_related("opportunity")
        .defer("opportunity__description")
        .order_by("starts_at", "id")[: MAX_SHIFTS + 1]
    )
    next_day: date | None = None
    if len(shifts) > MAX_SHIFTS:
        # Too many for one page: stop before the day the first left-out shift falls on.
        cut_day = shifts[MAX_SHIFTS].starts_at.astimezone(zone).date()
        kept = [s for s in shifts[:MAX_SHIFTS] if s.starts_at.astimezone(zone).date() < cut_day]
        shifts = kept or shifts[:MAX_SHIFTS]
        next_day = cut_day if kept else cut_day + timedelta(days=1)
    else:
        later = (
            base.filter(starts_at__gte=window_end)
            .order_by("starts_at")
            .values_list("starts_at", flat=True)
        ).first()
        if later is not None:
            next_day = later.astimezone(zone).date()
    days: dict[date, list[ShiftRow]] = {}
    for row in shift_rows(shifts, zone):
        days.setdefault(row.starts.date(), []).append(row)
    previous_day = None
    if first_day > today:
        previous_day = max(first_day - timedelta(days=WINDOW_DAYS), today)
    return Listing(list(days.items()), first_day, today, next_day, previous_day)


def public_shift(shift_id: int) -> Shift | None:
    """A shift of a public opportunity (even one that is over or cancelled: its page says so)."""
    return (
        with_confirmed(
            Shift.objects.filter(
                pk=shift_id, opportunity__is_public=True, opportunity__is_archived=False
            )
        )
        .select_related("opportunity", "organization")
        .first()
    )


def own_signups(volunteer: Volunteer) -> dict[str, Any]:
    """The volunteer's upcoming sign-ups (not cancelled) and their past ones (attended or not
    cancelled), soonest and latest first."""
    now = timezone.now()
    mine = SignUp.objects.filter(volunteer_id=volunteer.pk).select_related(
        "shift__opportunity", "role"
    )
    upcoming = list(
        mine.filter(shift__ends_at__gt=now)
        .exclude(status=SignUpStatus.CANCELLED)
        .order_by("shift__starts_at", "id")
    )
    past = list(
        mine.filter(shift__ends_at__lte=now, status=SignUpStatus.CONFIRMED).order_by(
            "-shift__starts_at", "-id"
        )[:100]
    )
    return {"upcoming": upcoming, "past": past}


def feed_signups(volunteer: Volunteer) -> list[SignUp]:
    """Confirmed sign-ups for shifts not yet over (not cancelled), for the calendar feed."""
    return list(
        SignUp.objects.filter(
            volunteer_id=volunteer.pk,
            status=SignUpStatus.CONFIRMED,
            shift__ends_at__gt=timezone.now(),
            shift__is_cancelled=False,
        )
        .select_related("shift__opportunity", "role")
        .order_by("shift__starts_at", "id")[:500]
    )
