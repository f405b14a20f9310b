"""Demo data of the shifts area (`ifm seed_demo`): four opportunities with weekly shifts for the
next four weeks (one needs a signed waiver, one has roles), the demo volunteers signed up
through the sign-up service, and a full shift with a waitlist. Runs after the people area's
step, which makes the volunteers; without volunteers it makes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

from ifm.core.errors import ServiceError
from ifm.ledger.chart.selectors import active_programs
from ifm.orgs.demo import DemoContext
from ifm.tenancy.roles import Role
from ifm.volunteers.models import (
    QualificationType,
    Shift,
    ShiftRole,
    SignUp,
    SignUpStatus,
    Volunteer,
    VolunteerStatus,
)
from ifm.volunteers.shifts.services import RoleSpec, opportunity_create, shift_series_create
from ifm.volunteers.signups.services import sign_up

STEP = "volunteers.shifts"
AFTER = ("volunteers.people",)
WAIVER = "Signed waiver"
WEEKS = 4


@dataclass(frozen=True)
class DemoOpportunity:
    title: str
    description: str
    location: str
    weekdays: tuple[int, ...]
    start: time
    end: time
    capacity: int
    roles: tuple[tuple[str, int], ...] = ()
    waiver: bool = False
    minimum_age: int | None = None
    signups_per_shift: int = 3
    fills: bool = False  # its first shift is signed up past its places: a waitlist


OPPORTUNITIES = (
    DemoOpportunity(
        "Saturday food distribution",
        "Sort donated groceries and hand them out to families at the pantry door.",
        "Food pantry, back entrance",
        (6,),
        time(9),
        time(12),
        10,
        roles=(("Sorter", 6), ("Greeter", 4)),
        minimum_age=16,
        signups_per_shift=5,
    ),
    DemoOpportunity(
        "Warehouse safety crew",
        "Move pallets and restock shelves; a signed waiver is needed before the first shift.",
        "Warehouse, dock 2",
        (3,),
        time(17),
        time(19, 30),
        6,
        waiver=True,
        minimum_age=18,
    ),
    DemoOpportunity(
        "After-school tutoring",
        "Help children in grades 3 to 6 with reading and homework.",
        "Community room",
        (2, 4),
        time(15, 30),
        time(17, 30),
        4,
        signups_per_shift=2,
    ),
    DemoOpportunity(
        "Meal delivery drivers",
        "Deliver hot meals to homebound neighbors; bring your own car.",
        "Kitchen loading bay",
        (5,),
        time(10),
        time(13),
        3,
        fills=True,
    ),
)


def _waiver(ctx: DemoContext) -> QualificationType:
    """The signed waiver type: the people area may have made it already (by name, any case)."""
    found = QualificationType.objects.filter(name__iexact=WAIVER).first()
    if found is not None:
        return found
    return QualificationType.objects.create(
        organization=ctx.organization, name=WAIVER, valid_months=12
    )


def _placed_on(shift: Shift) -> int:
    return SignUp.objects.filter(shift=shift).exclude(status=SignUpStatus.CANCELLED).count()


def seed(ctx: DemoContext) -> str:
    volunteers = list(Volunteer.objects.filter(status=VolunteerStatus.ACTIVE).order_by("id")[:200])
    if not volunteers:
        return "no volunteers: no shifts made"
    who: dict[str, Any] = {
        "organization": ctx.organization,
        "actor": ctx.actor(Role.VOLUNTEER_COORDINATOR),
        "access": ctx.access(Role.VOLUNTEER_COORDINATOR),
    }
    waiver = _waiver(ctx)
    program = active_programs().first()
    first, until = ctx.today + timedelta(days=1), ctx.today + timedelta(days=7 * WEEKS)
    rng = ctx.rng
    shifts_made = placed = waitlisted = 0
    for spec in OPPORTUNITIES:
        opportunity = opportunity_create(
            **who,
            title=spec.title,
            description=spec.description,
            program=program,
            location=spec.location,
            coordinator=who["actor"],
            qualifications=[waiver] if spec.waiver else [],
            minimum_age=spec.minimum_age,
        )
        made = shift_series_create(
            **who,
            opportunity=opportunity,
            weekdays=list(spec.weekdays),
            start_time=spec.start,
            end_time=spec.end,
            first_date=first,
            until=until,
            capacity=spec.capacity,
            roles=[RoleSpec(name, places) for name, places in spec.roles],
        )
        shifts_made += len(made.shifts)
        for index, shift in enumerate(made.shifts):
            roles = list(ShiftRole.objects.filter(shift=shift).order_by("name"))
            wanted = spec.capacity + 2 if spec.fills and index == 0 else spec.signups_per_shift
            for n, person in enumerate(rng.sample(volunteers, min(len(volunteers), wanted * 3))):
                if n >= wanted * 3 or _placed_on(shift) >= wanted:
                    break
                try:
                    result = sign_up(
                        **who,
                        shift=shift,
                        volunteer=person,
                        role=roles[n % len(roles)] if roles else None,
                    )
                except ServiceError:
                    continue  # not old enough, no waiver, busy then: the rules say no
                placed += 1
                waitlisted += result.status == "waitlisted"
    return (
        f"{len(OPPORTUNITIES)} opportunities, {shifts_made} shifts, "
        f"{placed} sign-ups ({waitlisted} waitlisted)"
    )
