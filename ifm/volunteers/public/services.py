"""Writes of the public area: signing up from the public page (finding the volunteer by email
or adding them), a volunteer's own cancellations, a new link, resetting their secret,
unsubscribing, and coordinators' messages.

The sign-up rules are the sign-up service's (ifm.volunteers.signups.services): here only who
the person is. A person found by email keeps the details on file; blanks are filled in (a
phone, a date of birth, a guardian's consent), nothing is overwritten from a public form.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service
from ifm.volunteers.models import (
    Opportunity,
    Shift,
    ShiftRole,
    SignUp,
    Volunteer,
    VolunteerMessage,
)
from ifm.volunteers.models.people import new_token
from ifm.volunteers.people.normalize import apply_norms
from ifm.volunteers.public import tasks
from ifm.volunteers.signups import services as signups
from ifm.volunteers.signups.services import Placed


def _volunteer_by_email(email: str) -> Volunteer | None:
    return Volunteer.objects.filter(email__iexact=email.strip()).order_by("pk").first()


def _fill_blanks(volunteer: Volunteer, details: dict[str, Any]) -> list[str]:
    changed = []
    for name in ("phone", "date_of_birth"):
        if details.get(name) and not getattr(volunteer, name):
            setattr(volunteer, name, details[name])
            changed.append(name)
    if details.get("guardian_consent") and volunteer.guardian_consent_at is None:
        volunteer.guardian_name = details.get("guardian_name", "")
        volunteer.guardian_email = details.get("guardian_email", "")
        volunteer.guardian_consent_at = timezone.now()
        changed += ["guardian_name", "guardian_email", "guardian_consent_at"]
    return changed


def _volunteer_for(organization: Organization, details: dict[str, Any]) -> Volunteer:
    email = details["email"].strip()
    volunteer = _volunteer_by_email(email)
    if volunteer is not None:
        changed = _fill_blanks(volunteer, details)
        if changed:
            apply_norms(volunteer)
            volunteer.save(update_fields=[*changed, "phone_norm", "search_text"])
            audit_record(
                action="volunteer.update",
                organization=organization,
                obj=volunteer,
                changes={"filled_from_public_page": changed},
            )
        return volunteer
    volunteer = Volunteer(
        organization=organization,
        first_name=details["first_name"].strip(),
        last_name=details["last_name"].strip(),
        email=email,
        phone=(details.get("phone") or "").strip(),
        date_of_birth=details.get("date_of_birth"),
    )
    if details.get("guardian_consent"):
        volunteer.guardian_name = details.get("guardian_name", "")
        volunteer.guardian_email = details.get("guardian_email", "")
        volunteer.guardian_consent_at = timezone.now()
    apply_norms(volunteer)
    try:
        with transaction.atomic():
            volunteer.save()
    except IntegrityError:
        # The same email signed up at the same moment from another request: use theirs.
        found = _volunteer_by_email(email)
        if found is None:
            raise
        return found
    audit_record(
        action="volunteer.create",
        organization=organization,
        obj=volunteer,
        changes={"source": "public sign-up page"},
    )
    return volunteer


@org_service(None)
def public_signup_submit(
    *,
    organization: Organization,
    shift: Shift,
    role: ShiftRole | None,
    first_name: str,
    last_name: str,
    email: str,
    phone: str = "",
    date_of_birth: date | None = None,
    guardian_name: str = "",
    guardian_email: str = "",
    guardian_consent: bool = False,
) -> Placed:
    """Sign a person up from the public page: confirmed, waitlisted, or refused with the rule's
    message (ServiceError; nothing is kept then, not even a new volunteer)."""
    volunteer = _volunteer_for(
        organization,
        {
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "phone": phone,
            "date_of_birth": date_of_birth,
            "guardian_name": guardian_name,
            "guardian_email": guardian_email,
            "guardian_consent": guardian_consent,
        },
    )
    return signups.public_sign_up(
        organization=organization, shift=shift, volunteer=volunteer, role=role
    )


@org_service(None)
def own_signup_cancel(
    *, organization: Organization, volunteer: Volunteer, signup_id: int
) -> list[SignUp]:
    """A volunteer cancelling one of their own sign-ups from their page."""
    signup = (
        SignUp.objects.filter(pk=signup_id, volunteer_id=volunteer.pk)
        .select_related("shift")
        .first()
    )
    if signup is None:
        raise ServiceError("That sign-up is not one of yours.")
    return signups.cancel_own(organization=organization, signup=signup)


@org_service(None)
def link_request(*, organization: Organization, email: str) -> None:
    """Email a new link to the volunteer with this address, if there is one. The caller answers
    the same either way, so nobody learns who volunteers here."""
    volunteer = _volunteer_by_email(email)
    if volunteer is None:
        return
    transaction.on_commit(
        lambda: tasks.link_email.enqueue(organization_id=organization.pk, volunteer_id=volunteer.pk)
    )


@org_service(None)
def volunteer_secret_reset(*, organization: Organization, volunteer: Volunteer) -> Volunteer:
    """A new secret: every link sent before stops working, and so does the old calendar feed
    address. A new link goes to the volunteer's email."""
    volunteer.calendar_token = new_token()
    volunteer.save(update_fields=["calendar_token"])
    audit_record(
        action="volunteer.secret_reset",
        organization=organization,
        obj=volunteer,
        changes={"calendar_token": "reset by the volunteer"},
    )
    return volunteer


@org_service(None)
def volunteer_unsubscribe(*, organization: Organization, volunteer: Volunteer) -> Volunteer:
    """Stop coordinators' messages to this volunteer (emails about their sign-ups still go)."""
    if not volunteer.email_opt_out:
        volunteer.email_opt_out = True
        volunteer.save(update_fields=["email_opt_out"])
        audit_record(
            action="volunteer.unsubscribe",
            organization=organization,
            obj=volunteer,
            changes={"email_opt_out": {"before": False, "after": True}},
        )
    return volunteer


@org_service("volunteers.manage")
def volunteer_message_send(
    *,
    organization: Organization,
    access: Access | None,
    actor: Any,
    subject: str,
    body: str,
    shift: Shift | None = None,
    opportunity: Opportunity | None = None,
    include_waitlisted: bool = False,
) -> VolunteerMessage:
    """Record a message to the volunteers of a shift or an opportunity and queue its sending
    (a job: those who unsubscribed are skipped)."""
    if (shift is None) == (opportunity is None):
        raise ServiceError("Choose either an opportunity or one shift.")
    subject = subject.strip()
    body = body.strip()
    if not subject or not body:
        raise ServiceError("Write a subject and a message.")
    message = VolunteerMessage.objects.create(
        organization=organization,
        subject=subject,
        body=body,
        shift=shift,
        opportunity=opportunity or (shift.opportunity if shift else None),
        created_by=actor,
    )
    audit_record(
        action="volunteer_message.create",
        actor=actor,
        organization=organization,
        obj=message,
        changes={
            "subject": subject,
            "shift_id": shift.pk if shift else None,
            "opportunity_id": message.opportunity_id,
            "include_waitlisted": include_waitlisted,
        },
    )
    transaction.on_commit(
        lambda: tasks.message.enqueue(
            organization_id=organization.pk,
            message_id=message.pk,
            include_waitlisted=include_waitlisted,
        )
    )
    return message
