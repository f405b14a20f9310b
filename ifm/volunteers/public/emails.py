"""The emails volunteers get: about a sign-up (confirmed, waitlisted, promoted, cancelled, the
reminder), a new link to their page, and coordinators' messages. Each is text with an HTML
alternative, rendered from templates/volunteers/public/email/; those about a confirmed place
carry the shift as an .ics file. Times are in the organization's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone as tz

from ifm.tenancy.models import Organization
from ifm.volunteers.models import SignUp, SignUpStatus, Volunteer, VolunteerMessage
from ifm.volunteers.public.ics import calendar_bytes
from ifm.volunteers.public.links import LINK_MAX_AGE, own_page_token, unsubscribe_token
from ifm.volunteers.public.selectors import contact_email

ICS_MIMETYPE = "text/calendar"

# What the email about a sign-up says, by what happened.
PLACED, PROMOTED, CANCELLED, REMINDER = "placed", "promoted", "cancelled", "reminder"


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def own_page_url(organization: Organization, volunteer: Volunteer) -> str:
    return absolute(
        reverse(
            "volunteer_public:own_page",
            kwargs={"org_slug": organization.slug, "token": own_page_token(volunteer)},
        )
    )


def unsubscribe_url(organization: Organization, volunteer: Volunteer) -> str:
    return absolute(
        reverse(
            "volunteer_public:unsubscribe",
            kwargs={"org_slug": organization.slug, "token": unsubscribe_token(volunteer)},
        )
    )


def feed_url(organization: Organization, volunteer: Volunteer) -> str:
    return absolute(
        reverse(
            "volunteer_public:calendar_feed",
            kwargs={"org_slug": organization.slug, "token": volunteer.calendar_token},
        )
    )


@dataclass(frozen=True)
class When:
    starts: datetime
    ends: datetime
    zone_name: str

    @property
    def text(self) -> str:
        same_day = self.starts.date() == self.ends.date()
        end = f"{self.ends:%H:%M}" if same_day else f"{self.ends:%A %d %B %Y %H:%M}"
        return f"{self.starts:%A %d %B %Y}, {self.starts:%H:%M} to {end} ({self.zone_name})"


def when(organization: Organization, signup: SignUp) -> When:
    zone = ZoneInfo(organization.time_zone)
    return When(
        signup.shift.starts_at.astimezone(zone),
        signup.shift.ends_at.astimezone(zone),
        organization.time_zone,
    )


def _message(
    organization: Organization,
    *,
    to: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    reply_to = contact_email(organization)
    context = {
        "organization": organization,
        "contact_email": reply_to,
        "link_days": LINK_MAX_AGE.days,
        **context,
    }
    with tz.override(ZoneInfo(organization.time_zone)):
        text = render_to_string(f"volunteers/public/email/{template}.txt", context)
        html = render_to_string(f"volunteers/public/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[to],
        reply_to=[reply_to] if reply_to else None,
        headers=headers or {},
    )
    message.attach_alternative(html, "text/html")
    return message


def signup_subject(kind: str, signup: SignUp, moment: When) -> str:
    title = signup.shift.opportunity.title
    day = f"{moment.starts:%a %d %b}"
    if kind == CANCELLED:
        return f"Cancelled: {title} on {day}"
    if kind == REMINDER:
        return f"Reminder: {title} on {day} at {moment.starts:%H:%M}"
    if kind == PROMOTED:
        return f"You're in: {title} on {day}"
    if signup.status == SignUpStatus.WAITLISTED:
        return f"You're on the waitlist: {title} on {day}"
    return f"You're confirmed: {title} on {day}"


def signup_email(organization: Organization, signup: SignUp, kind: str) -> EmailMultiAlternatives:
    """The email about one sign-up; with the shift's .ics while the place is confirmed."""
    volunteer = signup.volunteer
    moment = when(organization, signup)
    message = _message(
        organization,
        to=volunteer.email,
        subject=signup_subject(kind, signup, moment),
        template="signup",
        context={
            "kind": kind,
            "signup": signup,
            "shift": signup.shift,
            "opportunity": signup.shift.opportunity,
            "volunteer": volunteer,
            "when": moment,
            "confirmed": signup.status == SignUpStatus.CONFIRMED,
            "waitlisted": signup.status == SignUpStatus.WAITLISTED,
            "own_page_url": own_page_url(organization, volunteer),
        },
    )
    if kind != CANCELLED and signup.status == SignUpStatus.CONFIRMED:
        message.attach("shift.ics", calendar_bytes(organization, [signup]), ICS_MIMETYPE)
    return message


def link_email(organization: Organization, volunteer: Volunteer) -> EmailMultiAlternatives:
    return _message(
        organization,
        to=volunteer.email,
        subject=f"Your volunteer page at {organization.name}",
        template="link",
        context={"volunteer": volunteer, "own_page_url": own_page_url(organization, volunteer)},
    )


def coordinator_email(
    organization: Organization, message: VolunteerMessage, volunteer: Volunteer
) -> EmailMultiAlternatives:
    """A coordinator's message, with an unsubscribe link and the List-Unsubscribe headers
    (RFC 2369, and RFC 8058's one-click POST)."""
    leave = unsubscribe_url(organization, volunteer)
    return _message(
        organization,
        to=volunteer.email,
        subject=message.subject,
        template="message",
        context={"message": message, "volunteer": volunteer, "unsubscribe_url": leave},
        headers={
            "List-Unsubscribe": f"<{leave}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
