"""The people area's demo data (step `volunteers.people` of `ifm seed_demo`, see
ifm/orgs/demo.py): about 25 volunteers (applicants, active and inactive, two minors with their
guardian's consent), three qualification types (background check, food handler card, signed
waiver) and their qualifications, a few expiring within the month and one expired, and two
volunteers who are also demo donors (same email), linked to the donor record. Everything through
the services, drawn from the step's seeded random."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from ifm.orgs.demo import DemoContext
from ifm.tenancy.roles import Role
from ifm.volunteers.models import QualificationType, Volunteer, VolunteerStatus
from ifm.volunteers.people import qualifications, selectors, services

STEP = "volunteers.people"
VOLUNTEERS = 25

FIRST = [
    "Ana", "Ben", "Chloe", "Dev", "Elena", "Femi", "Grace", "Hiro", "Isla", "Jamal", "Kira",
    "Leo", "Maya", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Sam", "Tara", "Uma", "Victor",
    "Wren", "Yusuf", "Zoe",
]  # fmt: skip
LAST = [
    "Abbott", "Bennett", "Castillo", "Dubois", "Ellis", "Fischer", "Gupta", "Hughes", "Ibarra",
    "Jensen", "Kowalski", "Lindqvist", "Mensah", "Novak", "Okafor", "Park", "Quintero", "Reyes",
]  # fmt: skip
SKILLS = ["driving", "cooking", "first aid", "Spanish", "lifting", "data entry", "tutoring"]
INTERESTS = ["food pantry", "youth programs", "events", "gardening", "office help"]
AVAILABILITY = ["weekday mornings", "weekday evenings", "Saturdays", "Sundays", "flexible"]
TYPES = [
    ("Background check", "A criminal background check.", 24),
    ("Food handler card", "The county's food handler certificate.", 36),
    ("Signed waiver", "The liability waiver, signed.", 12),
]


def _types(who: dict[str, Any]) -> list[QualificationType]:
    made = []
    for name, about, months in TYPES:
        kind = QualificationType.objects.filter(name__iexact=name).first()
        if kind is None:
            kind = qualifications.qualification_type_create(
                **who, name=name, description=about, valid_months=months
            )
        made.append(kind)
    return made


def _donors_with_email(count: int) -> list[Any]:
    donors = selectors.donor_model().objects.filter(  # type: ignore[attr-defined]
        merged_into__isnull=True, kind="individual"
    )
    return list(donors.exclude(email="").order_by("pk")[:count])


def seed(ctx: DemoContext) -> str:
    rng = ctx.rng
    who = {
        "organization": ctx.organization,
        "actor": ctx.actor(Role.VOLUNTEER_COORDINATOR),
        "access": ctx.access(Role.VOLUNTEER_COORDINATOR),
    }
    today = selectors.org_today(ctx.organization)
    kinds = _types(who)
    slug = ctx.organization.slug
    made: list[Volunteer] = []
    donors = _donors_with_email(2)
    for n in range(VOLUNTEERS):
        first, last = FIRST[n % len(FIRST)], LAST[rng.randrange(len(LAST))]
        donor = donors[n] if n < len(donors) else None
        fields: dict[str, Any] = {
            "first_name": (donor.first_name or first) if donor else first,
            "last_name": donor.last_name if donor else last,
            "email": donor.email if donor else f"{first}.{last}.{n}@{slug}.demo".lower(),
            "phone": f"614-555-{rng.randrange(1000, 9999)}",
            "city": "Columbus",
            "state": "OH",
            "postal_code": f"432{rng.randrange(10, 99)}",
            "emergency_contact_name": f"{FIRST[rng.randrange(len(FIRST))]} {last}",
            "emergency_contact_phone": f"614-555-{rng.randrange(1000, 9999)}",
            "skills": ", ".join(rng.sample(SKILLS, 2)),
            "interests": ", ".join(rng.sample(INTERESTS, 2)),
            "availability": rng.choice(AVAILABILITY),
            "status": VolunteerStatus.ACTIVE
            if n < 18
            else (VolunteerStatus.APPLICANT if n < 23 else VolunteerStatus.INACTIVE),
            "date_of_birth": today - relativedelta(years=rng.randrange(19, 75), days=n * 7),
        }
        if n in (5, 11):  # two teenagers, with a parent's consent
            fields["date_of_birth"] = today - relativedelta(years=16, days=n * 3)
            fields["guardian_name"] = f"{FIRST[(n + 7) % len(FIRST)]} {fields['last_name']}"
            fields["guardian_consent"] = True
        volunteer = services.volunteer_create(**who, confirm_duplicate=True, **fields)
        if donor is not None:
            volunteer = services.volunteer_link_donor(**who, volunteer=volunteer, donor_id=donor.pk)
        made.append(volunteer)
    held = 0
    for n, volunteer in enumerate(made):
        for kind in kinds:
            expiring = n in (1, 4, 7) and kind is kinds[0]  # expiring within the month
            expired = n == 9 and kind is kinds[2]  # expired last week
            if not (expiring or expired) and (
                volunteer.status != VolunteerStatus.ACTIVE or rng.random() < 0.3
            ):
                continue
            months = kind.valid_months or 12
            issued = today - relativedelta(months=rng.randrange(1, months))
            expires: date = issued + relativedelta(months=months)
            if expiring:
                expires = today + timedelta(days=5 + n * 2)
                issued = expires - relativedelta(months=months)
            elif expired:
                expires = today - timedelta(days=7)
                issued = expires - relativedelta(months=months)
            qualifications.qualification_add(
                **who, volunteer=volunteer, type=kind, issued_on=issued, expires_on=expires
            )
            held += 1
    linked = sum(1 for v in made if v.donor_id)
    return (
        f"{len(made)} volunteers, {len(kinds)} qualification types, {held} qualifications, "
        f"{linked} linked to donors"
    )
