"""Calendar files (iCalendar, RFC 5545) of volunteer shifts: one attached to a confirmation or
reminder, and each volunteer's feed. Times are written in the organization's time zone (with
its VTIMEZONE), so a calendar shows the shift at the hour the organization means."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, Timezone

from ifm.tenancy.models import Organization
from ifm.volunteers.models import SignUp

PRODID = "-//IFM//Volunteer shifts//EN"
METHOD_PUBLISH = "PUBLISH"


def _uid(signup: SignUp) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "ifm"
    return f"volunteer-signup-{signup.pk}@{host}"


def _event(signup: SignUp, zone: ZoneInfo, organization: Organization, stamp: datetime) -> Event:
    shift = signup.shift
    opportunity = shift.opportunity
    event = Event()
    event.add("uid", _uid(signup))
    event.add("dtstamp", stamp)
    event.add("dtstart", shift.starts_at.astimezone(zone))
    event.add("dtend", shift.ends_at.astimezone(zone))
    title = opportunity.title
    if signup.role is not None:
        title = f"{title} ({signup.role.name})"
    event.add("summary", f"{title}, {organization.name}")
    if opportunity.location:
        event.add("location", opportunity.location)
    notes = [opportunity.description.strip(), shift.notes.strip()]
    description = "\n\n".join(n for n in notes if n)
    if description:
        event.add("description", description[:4000])
    event.add("status", "CANCELLED" if shift.is_cancelled else "CONFIRMED")
    return event


def calendar_bytes(
    organization: Organization, signups: Iterable[SignUp], *, name: str = ""
) -> bytes:
    """An iCalendar file with one event per sign-up (their shifts and opportunities loaded)."""
    zone = ZoneInfo(organization.time_zone)
    stamp = timezone.now()
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", METHOD_PUBLISH)
    if name:
        cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", organization.time_zone)
    events = [_event(s, zone, organization, stamp) for s in signups]
    if events:
        first = min(e.DTSTART for e in events).date()
        last = max(e.DTEND for e in events).date() + timedelta(days=366)
        cal.add_component(Timezone.from_tzinfo(zone, first_date=first, last_date=last))
    for event in events:
        cal.add_component(event)
    return cal.to_ical()
