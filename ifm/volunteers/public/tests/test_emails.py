"""Emails about sign-ups: the confirmation with its .ics (times in the organization's zone),
the waitlist notice, the promotion after a cancellation, the cancellation, and the reminder
job (once, 24 hours before, never for a cancelled sign-up)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from ifm.core.org_context import org_context
from ifm.tenancy.models import Membership
from ifm.volunteers.models import SignUp, SignUpSource, SignUpStatus
from ifm.volunteers.public import delivery
from ifm.volunteers.signups import services as signups
from ifm.volunteers.tests import factories as vf


def shift_url(org: Any, shift: Any) -> str:
    return reverse("volunteer_public:shift", kwargs={"org_slug": org.slug, "shift_id": shift.pk})


def person(email: str, first: str = "Ada") -> dict[str, str]:
    return {"first_name": first, "last_name": "Lovelace", "email": email}


def ics_of(mail: Any) -> Calendar:
    files = [a for a in mail.attachments if a[0].endswith(".ics")]
    assert len(files) == 1, mail.attachments
    content = files[0][1]
    return Calendar.from_ical(content if isinstance(content, bytes) else content.encode())


def staff(org: Any, cast: dict[str, Any]) -> dict[str, Any]:
    user = cast["volunteer_coordinator"]
    with org_context(org):
        access = Membership.objects.get(user=user)
    return {"organization": org, "access": access, "actor": user}


def test_confirmation_carries_the_shift_in_the_organizations_zone(org_a: Any, sent: Any) -> None:
    org_a.time_zone = "America/Chicago"
    org_a.save()
    zone = ZoneInfo("America/Chicago")
    starts = (
        (timezone.now() + timedelta(days=5))
        .astimezone(zone)
        .replace(hour=9, minute=30, second=0, microsecond=0)
    )
    opp = vf.opportunity(org_a, title="Food pantry", location="12 Main St")
    shift = vf.shift(org_a, opp, starts_at=starts, hours=3)

    mails = sent(lambda: Client().post(shift_url(org_a, shift), person("ada@example.org")))
    assert len(mails) == 1
    mail = mails[0]
    assert mail.to == ["ada@example.org"]
    assert mail.subject.startswith("You're confirmed: Food pantry")
    assert "09:30 to 12:30 (America/Chicago)" in mail.body
    assert "/me/" in mail.body  # the link to their page
    html = mail.alternatives[0]
    assert html[1] == "text/html"
    assert "Food pantry" in html[0]

    event = ics_of(mail).walk("VEVENT")[0]
    start = event.decoded("dtstart")
    end = event.decoded("dtend")
    assert start == starts
    assert end == starts + timedelta(hours=3)
    assert str(start.tzinfo) == "America/Chicago"
    assert (start.hour, start.minute) == (9, 30)
    assert "Food pantry" in str(event["summary"])
    assert str(event["location"]) == "12 Main St"
    with org_context(org_a):
        assert SignUp.objects.get().confirmation_sent_at is not None


def test_waitlisted_then_promoted_after_a_cancellation(
    org_a: Any, cast: dict[str, Any], sent: Any
) -> None:
    shift = vf.shift(org_a, capacity=1)
    sent(lambda: Client().post(shift_url(org_a, shift), person("first@example.org", "First")))
    waiting = sent(
        lambda: Client().post(shift_url(org_a, shift), person("second@example.org", "Second"))
    )
    assert len(waiting) == 1
    assert waiting[0].subject.startswith("You're on the waitlist")
    assert not [a for a in waiting[0].attachments if a[0].endswith(".ics")]

    with org_context(org_a):
        first = SignUp.objects.get(volunteer__email="first@example.org")
    mails = sent(lambda: signups.cancel(**staff(org_a, cast), signup=first))
    by_to = {m.to[0]: m for m in mails}
    assert set(by_to) == {"first@example.org", "second@example.org"}
    assert by_to["first@example.org"].subject.startswith("Cancelled:")
    promoted = by_to["second@example.org"]
    assert promoted.subject.startswith("You're in:")
    assert ics_of(promoted).walk("VEVENT")
    # A job run again sends nothing twice.
    with org_context(org_a):
        second = SignUp.objects.get(volunteer__email="second@example.org")

    def resend() -> bool:
        with org_context(org_a):
            return delivery.signup_email_send(
                organization=org_a, signup_id=second.pk, kind="promoted"
            )

    again = sent(resend)
    assert again == []
    assert sent.result is False


def test_kiosk_walk_ins_get_no_confirmation(org_a: Any, cast: dict[str, Any], sent: Any) -> None:
    shift = vf.shift(org_a)
    who = vf.volunteer(org_a)
    mails = sent(
        lambda: signups.sign_up(
            **staff(org_a, cast), shift=shift, volunteer=who, source=SignUpSource.KIOSK
        )
    )
    assert mails == []


def _confirmed(org: Any, starts_in: timedelta, confirmed_ago: timedelta = timedelta(days=3)) -> Any:
    start = timezone.now() + starts_in
    shift = vf.shift(org, starts_at=start)
    row = vf.signup(org, shift)
    with org_context(org):
        SignUp.objects.filter(pk=row.pk).update(confirmed_at=timezone.now() - confirmed_ago)
    return row


def test_reminders_go_once_24_hours_before(org_a: Any, sent: Any) -> None:
    due = _confirmed(org_a, timedelta(hours=20))
    too_early = _confirmed(org_a, timedelta(hours=30))
    cancelled = _confirmed(org_a, timedelta(hours=10))
    waitlisted = _confirmed(org_a, timedelta(hours=10))
    late_signup = _confirmed(org_a, timedelta(hours=10), confirmed_ago=timedelta(hours=1))
    with org_context(org_a):
        SignUp.objects.filter(pk=cancelled.pk).update(status=SignUpStatus.CANCELLED)
        SignUp.objects.filter(pk=waitlisted.pk).update(status=SignUpStatus.WAITLISTED)

    mails = sent(lambda: call_command("volunteer_reminders"))
    assert [m.to for m in mails] == [[due.volunteer.email]]
    assert mails[0].subject.startswith("Reminder:")
    assert ics_of(mails[0]).walk("VEVENT")
    # Run again: nothing twice.
    assert sent(lambda: call_command("volunteer_reminders")) == []
    with org_context(org_a):
        reminded = set(
            SignUp.objects.filter(reminder_sent_at__isnull=False).values_list("pk", flat=True)
        )
    assert reminded == {due.pk}
    assert too_early.pk not in reminded
    assert late_signup.pk not in reminded

    # Six hours later the other one is due.
    def six_hours_later() -> int:
        with org_context(org_a):
            return delivery.reminders_send(
                organization=org_a, now=timezone.now() + timedelta(hours=7)
            )

    later = sent(six_hours_later)
    assert [m.to for m in later] == [[too_early.volunteer.email]]


def test_a_failed_reminder_is_tried_again_next_run(org_a: Any, settings: Any, sent: Any) -> None:
    due = _confirmed(org_a, timedelta(hours=5))
    settings.EMAIL_BACKEND = "ifm.volunteers.public.tests.broken_mail.Backend"
    with org_context(org_a), pytest.raises(RuntimeError, match="could not be sent"):
        delivery.reminders_send(organization=org_a)
    with org_context(org_a):
        assert SignUp.objects.get(pk=due.pk).reminder_sent_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    def run() -> int:
        with org_context(org_a):
            return delivery.reminders_send(organization=org_a)

    mails = sent(run)
    assert len(mails) == 1
