"""The hours' demo data (a step of `ifm seed_demo`, see ifm/orgs/demo.py): for the demo
volunteers made by the people and shifts steps, hours over the last six months, logged by the
coordinator or by the volunteer, most approved, a few rejected with a reason and the latest
waiting for approval. Without volunteers it makes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from ifm.orgs.demo import DemoContext
from ifm.tenancy.roles import Role
from ifm.volunteers.hours.services import hours_approve, hours_log, hours_reject, org_today
from ifm.volunteers.models import HoursSource, Opportunity, Volunteer

# The steps that make volunteers, opportunities and shifts.
AFTER = ("volunteers.people", "volunteers.shifts")
MAX_VOLUNTEERS = 60
DESCRIPTIONS = [
    "Sorted donated food",
    "Packed grocery boxes",
    "Drove the delivery route",
    "Tutored two students",
    "Helped at the front desk",
    "Set up for the community breakfast",
]
REJECTIONS = ["Logged twice", "Not a program activity", "The shift was cancelled that day"]


def seed(ctx: DemoContext) -> str:
    rng = ctx.rng
    people = list(Volunteer.objects.exclude(status="inactive").order_by("id")[:MAX_VOLUNTEERS])
    if not people:
        return "no volunteers: no hours"
    opportunities = list(Opportunity.objects.order_by("id")[:20])
    role = Role.VOLUNTEER_COORDINATOR if Role.VOLUNTEER_COORDINATOR in ctx.users else Role.ADMIN
    who = {"organization": ctx.organization, "access": ctx.access(role), "actor": ctx.actor(role)}
    approved = rejected = pending = 0
    # Not after the organization's own today (the machine's date can be a day ahead of it).
    today = min(ctx.today, org_today(ctx.organization))
    for person in people:
        for _ in range(rng.randint(1, 8)):
            days_ago = rng.randint(0, 180)
            by_volunteer = rng.random() < 0.3
            entry = hours_log(
                **({"organization": ctx.organization} if by_volunteer else who),
                volunteer=person,
                date=today - timedelta(days=days_ago),
                hours=Decimal(rng.choice(["1.5", "2", "2.5", "3", "3.5", "4", "6"])),
                description=rng.choice(DESCRIPTIONS),
                opportunity=rng.choice(opportunities) if opportunities else None,
                source=HoursSource.VOLUNTEER if by_volunteer else HoursSource.COORDINATOR,
            )
            if days_ago < 10 and rng.random() < 0.6:
                pending += 1
            elif rng.random() < 0.05:
                hours_reject(**who, entry=entry, reason=rng.choice(REJECTIONS))
                rejected += 1
            else:
                hours_approve(**who, entry=entry)
                approved += 1
    # Hours approved this month, whatever day of the month the demo is made on.
    entry = hours_log(
        **who,
        volunteer=people[0],
        date=today,
        hours=Decimal("3"),
        description=DESCRIPTIONS[0],
        opportunity=opportunities[0] if opportunities else None,
        source=HoursSource.COORDINATOR,
    )
    hours_approve(**who, entry=entry)
    approved += 1
    return (
        f"hours of {len(people)} volunteers: {approved} approved, {pending} waiting, "
        f"{rejected} rejected"
    )
