"""Walk-ins at the kiosk: find the person (or add them), put them on a shift that has a place,
and check them in, all in one transaction (a full shift or a missing qualification leaves
nothing behind). Checking in and out is `signups.services.check_in` / `check_out`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower

from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service
from ifm.volunteers.models import (
    Shift,
    SignUp,
    SignUpSource,
    SignUpStatus,
    Volunteer,
    VolunteerStatus,
)
from ifm.volunteers.people import normalize
from ifm.volunteers.signups import services as signups


def find_walk_in(first_name: str, last_name: str, email: str) -> Volunteer | None:
    """The volunteer with this email; without an email, the one volunteer with this name (two
    with the same name and no email to tell them apart: a new record is safer than a guess)."""
    if email:
        return (
            Volunteer.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower=email.lower())
            .first()
        )
    same = list(Volunteer.objects.filter(name_norm=normalize.name(first_name, last_name))[:2])
    if not same:
        same = list(
            Volunteer.objects.filter(
                first_name__iexact=first_name, last_name__iexact=last_name, email=""
            )[:2]
        )
    return same[0] if len(same) == 1 else None


def _new_volunteer(
    organization: Organization, actor: Any, first_name: str, last_name: str, email: str
) -> Volunteer:
    person = Volunteer(
        organization=organization,
        first_name=first_name,
        last_name=last_name,
        email=email,
        status=VolunteerStatus.ACTIVE,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    normalize.apply_norms(person)
    person.save()
    audit_record(
        action="volunteer.create",
        actor=actor,
        organization=organization,
        obj=person,
        changes={"source": "kiosk walk-in", "name": person.name, "email": email},
    )
    return person


@org_service("volunteers.manage")
def walk_in(
    *,
    organization: Organization,
    access: Access | None,
    actor: Any = None,
    shift: Shift,
    first_name: str,
    last_name: str = "",
    email: str = "",
) -> SignUp:
    """Someone at the door: found by email or name (or added), signed up on `shift` and
    checked in. Refused whole when the shift has no place left."""
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    email = (email or "").strip()
    if not first_name:
        raise ServiceError("Type the first name.", field="first_name")
    if len(first_name) > 100 or len(last_name) > 100:
        raise ServiceError("A name is at most 100 characters.", field="first_name")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ServiceError("That email does not look right.", field="email") from None
    if shift.organization_id != organization.pk:
        raise ServiceError("No such shift.", field="shift")
    person = find_walk_in(first_name, last_name, email)
    if person is not None and person.status == VolunteerStatus.APPLICANT:
        person.status = VolunteerStatus.ACTIVE
        person.save(update_fields=["status"])
    if person is None:
        person = _new_volunteer(organization, actor, first_name, last_name, email)
    existing = (
        SignUp.objects.filter(shift_id=shift.pk, volunteer_id=person.pk)
        .exclude(status=SignUpStatus.CANCELLED)
        .first()
    )
    if existing is not None and existing.status == SignUpStatus.CONFIRMED:
        signup = existing
    else:
        if existing is not None:
            raise ServiceError(f"{person.name} is on the waitlist of this shift, which is full.")
        placed = signups.sign_up(
            organization=organization,
            access=access,
            actor=actor,
            shift=shift,
            volunteer=person,
            source=SignUpSource.KIOSK,
        )
        if placed.status != SignUpStatus.CONFIRMED:
            # Raising undoes the sign-up (and a new volunteer) with the whole transaction.
            raise ServiceError("This shift is full: choose another one with places left.")
        signup = placed.signup
    if signup.checked_in_at is not None:
        return signup
    return signups.check_in(organization=organization, access=access, actor=actor, signup=signup)
