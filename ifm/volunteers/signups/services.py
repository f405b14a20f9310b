"""Signing up for shifts, cancelling, and checking in and out: one place for every door (staff
pages, the API, the public page, the kiosk).

Never overbooked: every change to a shift's sign-ups first locks the shift's row
(`SELECT ... FOR UPDATE` on PostgreSQL; SQLite's writers take the database lock at BEGIN), then
counts. Two requests for the last place queue on the lock: the first is confirmed, the second
counts again and goes on the waitlist. A cancelled confirmed place goes to the first on the
waitlist (by sign-up time) who may be confirmed, in the same transaction.

The services with a permission (`sign_up`, `cancel`, `check_in`, `check_out`) are for staff and
the kiosk; `public_sign_up` and `cancel_own` are for a volunteer who proved who they are with a
signed link (the public page's own checks come before them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service
from ifm.volunteers.models import (
    HoursEntry,
    HoursSource,
    Shift,
    ShiftRole,
    SignUp,
    SignUpSource,
    SignUpStatus,
    Volunteer,
)
from ifm.volunteers.signals import (
    send_after_commit,
    signup_cancelled,
    signup_placed,
    signup_promoted,
)
from ifm.volunteers.signups.rules import confirmation_problems, overlapping, shift_day

MAX_SHIFT_HOURS = Decimal("24")


@dataclass
class Placed:
    """A new sign-up and what the volunteer should be told beside it."""

    signup: SignUp
    warnings: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.signup.status


def _locked(shift: Shift) -> Shift:
    return (
        Shift.objects.select_for_update(of=("self",))
        .select_related("opportunity", "organization")
        .get(pk=shift.pk)
    )


def _confirmed_count(shift: Shift, role: ShiftRole | None) -> int:
    qs = SignUp.objects.filter(shift_id=shift.pk, status=SignUpStatus.CONFIRMED)
    if role is not None:
        qs = qs.filter(role_id=role.pk)
    return qs.count()


def has_place(shift: Shift, role: ShiftRole | None) -> bool:
    if _confirmed_count(shift, None) >= shift.capacity:
        return False
    return role is None or _confirmed_count(shift, role) < role.capacity


def _check_role(shift: Shift, role: ShiftRole | None) -> None:
    if role is not None and role.shift_id != shift.pk:
        raise ServiceError("That role belongs to another shift.", field="role_id")
    if role is None and ShiftRole.objects.filter(shift_id=shift.pk).exists():
        raise ServiceError("Choose a role: this shift has roles.", field="role_id")


def _check_open(shift: Shift, now: datetime) -> None:
    if shift.is_cancelled:
        raise ServiceError("This shift was cancelled.")
    if shift.ends_at <= now:
        raise ServiceError("This shift is over: choose an upcoming one.")


def _overlap_messages(volunteer: Volunteer, shift: Shift) -> tuple[list[str], list[str]]:
    """(refusals, warnings): a confirmed overlapping shift refuses, a waitlisted one warns."""
    refusals: list[str] = []
    warnings: list[str] = []
    for other in overlapping(volunteer, shift.starts_at, shift.ends_at, exclude_shift=shift.pk):
        when = f"{other.shift.opportunity.title} ({other.shift.starts_at:%Y-%m-%d %H:%M} UTC)"
        if other.status == SignUpStatus.CONFIRMED:
            refusals.append(f"{volunteer.name} is already confirmed on {when} at the same time.")
        else:
            warnings.append(f"{volunteer.name} is also on the waitlist of {when} at the same time.")
    return refusals, warnings


def _place(
    organization: Organization,
    *,
    shift: Shift,
    volunteer: Volunteer,
    role: ShiftRole | None,
    source: str,
    actor: Any = None,
) -> Placed:
    shift = _locked(shift)
    # The time is read under the lock: sign-up times then follow the order places were given,
    # so the waitlist (ordered by them) never puts someone ahead of a person confirmed first.
    now = timezone.now()
    _check_open(shift, now)
    _check_role(shift, role)
    existing = (
        SignUp.objects.filter(shift_id=shift.pk, volunteer_id=volunteer.pk)
        .exclude(status=SignUpStatus.CANCELLED)
        .first()
    )
    if existing is not None:
        raise ServiceError(
            f"{volunteer.name} is already {existing.get_status_display().lower()} on this shift."
        )
    problems = confirmation_problems(volunteer, shift)
    refusals, warnings = _overlap_messages(volunteer, shift)
    if problems or refusals:
        raise ServiceError(" ".join(problems + refusals))
    confirmed = has_place(shift, role)
    signup = SignUp.objects.create(
        organization=organization,
        shift=shift,
        volunteer=volunteer,
        role=role,
        status=SignUpStatus.CONFIRMED if confirmed else SignUpStatus.WAITLISTED,
        source=source,
        signed_up_at=now,
        confirmed_at=now if confirmed else None,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        action="volunteer_signup.create",
        actor=actor,
        organization=organization,
        obj=signup,
        changes={"status": {"before": None, "after": signup.status}, "source": source},
    )
    send_after_commit(signup_placed, signup=signup, organization=organization)
    return Placed(signup, warnings)


@org_service("volunteers.manage")
def sign_up(
    *,
    organization: Organization,
    access: Access | None,
    actor: Any = None,
    shift: Shift,
    volunteer: Volunteer,
    role: ShiftRole | None = None,
    source: str = SignUpSource.STAFF,
) -> Placed:
    """Put a volunteer on a shift: confirmed while places are left, else waitlisted."""
    return _place(
        organization, shift=shift, volunteer=volunteer, role=role, source=source, actor=actor
    )


@org_service(None)
def public_sign_up(
    *,
    organization: Organization,
    shift: Shift,
    volunteer: Volunteer,
    role: ShiftRole | None = None,
) -> Placed:
    """A volunteer signing themselves up on the public page."""
    if not shift.opportunity.is_public:
        raise ServiceError("This opportunity is not open for sign-up.")
    return _place(
        organization, shift=shift, volunteer=volunteer, role=role, source=SignUpSource.PUBLIC
    )


def fill_from_waitlist(organization: Organization, shift: Shift) -> list[SignUp]:
    """Confirm the waitlisted, first come first served, while places are left (after a
    cancellation or a larger capacity). Whoever cannot be confirmed (a qualification expired,
    an overlapping confirmed shift) keeps their place in the queue and is passed over.
    Runs inside the caller's transaction, with the shift locked by it."""
    promoted: list[SignUp] = []
    now = timezone.now()
    if shift.is_cancelled or shift.ends_at <= now:
        return promoted
    waiting = (
        SignUp.objects.filter(shift_id=shift.pk, status=SignUpStatus.WAITLISTED)
        .select_related("volunteer", "role")
        .order_by("signed_up_at", "id")
    )
    for signup in waiting:
        if _confirmed_count(shift, None) >= shift.capacity:
            break
        if not has_place(shift, signup.role):
            continue
        refusals, _ = _overlap_messages(signup.volunteer, shift)
        if confirmation_problems(signup.volunteer, shift) or refusals:
            continue
        signup.status = SignUpStatus.CONFIRMED
        signup.confirmed_at = now
        signup.save(update_fields=["status", "confirmed_at"])
        audit_record(
            action="volunteer_signup.promote",
            organization=organization,
            obj=signup,
            changes={"status": {"before": "waitlisted", "after": "confirmed"}},
        )
        send_after_commit(signup_promoted, signup=signup, organization=organization)
        promoted.append(signup)
    return promoted


def _cancel(organization: Organization, signup: SignUp, actor: Any) -> list[SignUp]:
    shift = _locked(signup.shift)
    signup = SignUp.objects.select_for_update(of=("self",)).get(pk=signup.pk)
    if signup.status == SignUpStatus.CANCELLED:
        raise ServiceError("This sign-up is already cancelled.")
    if signup.checked_in_at is not None:
        raise ServiceError("This volunteer has checked in: check them out instead.")
    was = signup.status
    signup.status = SignUpStatus.CANCELLED
    signup.cancelled_at = timezone.now()
    signup.save(update_fields=["status", "cancelled_at"])
    audit_record(
        action="volunteer_signup.cancel",
        actor=actor,
        organization=organization,
        obj=signup,
        changes={"status": {"before": was, "after": "cancelled"}},
    )
    send_after_commit(signup_cancelled, signup=signup, organization=organization)
    return fill_from_waitlist(organization, shift) if was == SignUpStatus.CONFIRMED else []


@org_service("volunteers.manage")
def cancel(
    *, organization: Organization, access: Access | None, actor: Any = None, signup: SignUp
) -> list[SignUp]:
    """Cancel a sign-up; returns the sign-ups promoted from the waitlist into its place."""
    return _cancel(organization, signup, actor)


@org_service(None)
def cancel_own(*, organization: Organization, signup: SignUp) -> list[SignUp]:
    """A volunteer cancelling their own sign-up through their signed link."""
    if signup.shift.starts_at <= timezone.now():
        raise ServiceError("This shift has started: tell the coordinator instead.")
    return _cancel(organization, signup, None)


@org_service("volunteers.manage")
def check_in(
    *,
    organization: Organization,
    access: Access | None,
    actor: Any = None,
    signup: SignUp,
    at: datetime | None = None,
) -> SignUp:
    signup = (
        SignUp.objects.select_for_update(of=("self",)).select_related("shift").get(pk=signup.pk)
    )
    if signup.status != SignUpStatus.CONFIRMED:
        raise ServiceError("Only a confirmed sign-up can check in.")
    if signup.checked_in_at is not None:
        raise ServiceError(f"Already checked in at {signup.checked_in_at:%H:%M} UTC.")
    at = at or timezone.now()
    if at < signup.shift.starts_at - timedelta(hours=12) or at > signup.shift.ends_at + timedelta(
        hours=12
    ):
        raise ServiceError("Check-in is open from 12 hours before the shift to 12 hours after it.")
    signup.checked_in_at = at
    signup.save(update_fields=["checked_in_at"])
    audit_record(
        action="volunteer_signup.check_in", actor=actor, organization=organization, obj=signup
    )
    return signup


def hours_between(start: datetime, end: datetime) -> Decimal:
    """Hours from `start` to `end`, to the hundredth, at most 24."""
    seconds = Decimal((end - start).total_seconds())
    hours = (seconds / Decimal(3600)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return min(hours, MAX_SHIFT_HOURS)


@org_service("volunteers.manage")
def check_out(
    *,
    organization: Organization,
    access: Access | None,
    actor: Any = None,
    signup: SignUp,
    at: datetime | None = None,
) -> HoursEntry | None:
    """Check out and log the hours between check-in and check-out, waiting for approval.
    Returns None when less than a minute passed (no hours to log)."""
    signup = (
        SignUp.objects.select_for_update(of=("self",))
        .select_related("shift__opportunity", "volunteer")
        .get(pk=signup.pk)
    )
    if signup.checked_in_at is None:
        raise ServiceError("Check in first.")
    if signup.checked_out_at is not None:
        raise ServiceError(f"Already checked out at {signup.checked_out_at:%H:%M} UTC.")
    at = at or timezone.now()
    if at < signup.checked_in_at:
        raise ServiceError("Check-out cannot be before check-in.")
    signup.checked_out_at = at
    signup.save(update_fields=["checked_out_at"])
    audit_record(
        action="volunteer_signup.check_out", actor=actor, organization=organization, obj=signup
    )
    hours = hours_between(signup.checked_in_at, at)
    if hours <= 0:
        return None
    return HoursEntry.objects.create(
        organization=organization,
        volunteer=signup.volunteer,
        signup=signup,
        opportunity=signup.shift.opportunity,
        date=shift_day(signup.shift),
        hours=hours,
        source=HoursSource.CHECK_IN,
        logged_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def upcoming_signups(volunteer: Volunteer) -> Any:
    """The volunteer's sign-ups, not cancelled, for shifts not yet over, soonest first."""
    return (
        SignUp.objects.filter(volunteer_id=volunteer.pk, shift__ends_at__gt=timezone.now())
        .filter(~Q(status=SignUpStatus.CANCELLED))
        .select_related("shift__opportunity", "role")
        .order_by("shift__starts_at", "id")
    )
