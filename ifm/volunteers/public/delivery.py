"""The bodies of the email jobs: each claims what it sends first (a conditional UPDATE of a
sent-at column), so a job run twice, or two workers at once, send each email once; a send that
fails gives its claim back, for the retry or the next run."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.core.mail import get_connection
from django.db.models import F, Q
from django.utils import timezone

from ifm.tenancy.models import Organization
from ifm.volunteers.models import SignUp, SignUpStatus, Volunteer, VolunteerMessage
from ifm.volunteers.public import emails

log = logging.getLogger("ifm.volunteers")

REMINDER_AHEAD = timedelta(hours=24)
MESSAGE_BATCH = 100


def _signup(signup_id: int) -> SignUp | None:
    return (
        SignUp.objects.filter(pk=signup_id)
        .select_related("shift__opportunity", "volunteer", "role")
        .first()
    )


def _claim(signup_id: int, column: str, condition: Q, now: datetime) -> bool:
    return bool(SignUp.objects.filter(condition, pk=signup_id).update(**{column: now}))


def signup_email_send(*, organization: Organization, signup_id: int, kind: str) -> bool:
    """Send the email about a sign-up (emails.PLACED, PROMOTED or CANCELLED) if it is still
    true and not sent yet; True when one went out."""
    signup = _signup(signup_id)
    if signup is None or not signup.volunteer.email:
        return False
    now = timezone.now()
    claim: Q | None = None
    if kind == emails.PLACED:
        if signup.status == SignUpStatus.CANCELLED:
            return False
        claim = Q(confirmation_sent_at__isnull=True) & ~Q(status=SignUpStatus.CANCELLED)
    elif kind == emails.PROMOTED:
        # Sent once per promotion: the last email about the place came before it was confirmed.
        claim = Q(status=SignUpStatus.CONFIRMED) & (
            Q(confirmation_sent_at__isnull=True) | Q(confirmation_sent_at__lt=F("confirmed_at"))
        )
    elif kind != emails.CANCELLED:
        raise ValueError(f"Unknown sign-up email {kind!r}.")
    before = signup.confirmation_sent_at
    if claim is not None and not _claim(signup.pk, "confirmation_sent_at", claim, now):
        return False
    signup.refresh_from_db(fields=["status", "confirmed_at"])
    try:
        emails.signup_email(organization, signup, kind).send()
    except Exception:
        if claim is not None:
            SignUp.objects.filter(pk=signup.pk, confirmation_sent_at=now).update(
                confirmation_sent_at=before
            )
        raise
    return True


def reminders_due(now: datetime, manager: Any = None) -> Any:
    """Confirmed sign-ups whose shift starts within REMINDER_AHEAD and that were not reminded.
    Those confirmed when the shift was already that close are left out: their confirmation
    came with the same details. (`manager`: SignUp.all_orgs to find the organizations.)"""
    return (
        (manager or SignUp.objects)
        .filter(
            status=SignUpStatus.CONFIRMED,
            reminder_sent_at__isnull=True,
            shift__is_cancelled=False,
            shift__starts_at__gt=now,
            shift__starts_at__lte=now + REMINDER_AHEAD,
            confirmed_at__lt=F("shift__starts_at") - REMINDER_AHEAD,
        )
        .exclude(volunteer__email="")
    )


def reminders_send(*, organization: Organization, now: datetime | None = None) -> int:
    """Remind every due sign-up once; the number sent."""
    now = now or timezone.now()
    sent = 0
    failed = 0
    for signup_id in list(reminders_due(now).values_list("pk", flat=True)[:2000]):
        claimed = _claim(
            signup_id,
            "reminder_sent_at",
            Q(reminder_sent_at__isnull=True, status=SignUpStatus.CONFIRMED),
            now,
        )
        if not claimed:
            continue  # another run took it, or it was cancelled meanwhile
        signup = _signup(signup_id)
        assert signup is not None
        try:
            emails.signup_email(organization, signup, emails.REMINDER).send()
        except Exception:
            SignUp.objects.filter(pk=signup_id, reminder_sent_at=now).update(reminder_sent_at=None)
            log.exception("Reminder of volunteer sign-up %s could not be sent", signup_id)
            failed += 1
            continue
        sent += 1
    if failed:
        raise RuntimeError(f"{failed} reminder(s) could not be sent; the next run tries again.")
    return sent


def link_email_send(*, organization: Organization, volunteer_id: int) -> bool:
    volunteer = Volunteer.objects.filter(pk=volunteer_id).first()
    if volunteer is None or not volunteer.email:
        return False
    emails.link_email(organization, volunteer).send()
    return True


def message_recipients(message: VolunteerMessage, *, include_waitlisted: bool) -> Any:
    """The volunteers a message goes to: on the shift, or on the opportunity's shifts not yet
    over (confirmed, and waitlisted when asked), with an email address."""
    statuses = [SignUpStatus.CONFIRMED] + ([SignUpStatus.WAITLISTED] if include_waitlisted else [])
    signups = SignUp.objects.filter(status__in=statuses, shift__is_cancelled=False)
    if message.shift_id is not None:
        signups = signups.filter(shift_id=message.shift_id)
    elif message.opportunity_id is not None:
        signups = signups.filter(
            shift__opportunity_id=message.opportunity_id, shift__ends_at__gt=message.created_at
        )
    else:
        signups = signups.none()
    return Volunteer.objects.filter(pk__in=signups.values("volunteer_id")).exclude(email="")


def message_send(*, organization: Organization, message_id: int, include_waitlisted: bool) -> int:
    """Send a coordinator's message once (claimed by its sent_at) to those not unsubscribed;
    the number sent."""
    now = timezone.now()
    if not VolunteerMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(sent_at=now):
        return 0
    message = VolunteerMessage.objects.get(pk=message_id)
    people = list(message_recipients(message, include_waitlisted=include_waitlisted))
    skipped = sum(1 for p in people if p.email_opt_out)
    to = [p for p in people if not p.email_opt_out]
    sent = 0
    connection = get_connection()
    try:
        for start in range(0, len(to), MESSAGE_BATCH):
            batch = [
                emails.coordinator_email(organization, message, v)
                for v in to[start : start + MESSAGE_BATCH]
            ]
            sent += connection.send_messages(batch) or 0
    finally:
        VolunteerMessage.objects.filter(pk=message_id).update(
            recipients=sent, skipped_unsubscribed=skipped
        )
    return sent
