"""The volunteer program in Chromium: a coordinator creates an opportunity needing a signed waiver
with a weekly shift of one place; a person signs up on the public page from a phone and gets the
confirmation with the shift's .ics; a second person joins the waitlist; the first cancels from
their email's link and the second is promoted; the second checks in and out at the kiosk; the
coordinator approves the hours, which show in the hours report and on the person's donor
profile once the volunteer is linked to the donor with the same email."""

from __future__ import annotations

import re
from datetime import date as date_type
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from e2e.conftest import TIMEOUT_MS
from e2e.test_auth_flows import sign_in
from ifm.accounts.services import membership_set
from ifm.conftest import make_user
from ifm.core.org_context import org_context
from ifm.donors.people.services import donor_create
from ifm.orgs.services import organization_create
from ifm.tenancy.roles import Role
from ifm.volunteers.models import HoursEntry, SignUp, SignUpStatus
from ifm.volunteers.people.qualifications import qualification_add, qualification_type_create
from ifm.volunteers.people.services import volunteer_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# The shift is today in the organization's zone, starting at the next full hour and two hours
# long, so that it is on the kiosk's list, open for check-in (from 12 hours before) and still
# ahead when the first person cancels. A zone where that fits before midnight is chosen.
ZONES = ["America/New_York", "America/Los_Angeles", "Europe/Paris", "Asia/Tokyo", "UTC"]


def _zone_and_start() -> tuple[str, datetime]:
    for name in ZONES:
        local = timezone.now().astimezone(ZoneInfo(name))
        if local.hour <= 20:
            start = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
            return name, start
    raise AssertionError("one of the zones has a local time before 21:00")


def run_jobs() -> None:
    """Run the queued background jobs (the emails) now, in this process, as the worker would."""
    from unittest import mock

    from django.core.management import call_command

    # The worker closes "old" connections between jobs; on PostgreSQL that would close the
    # test's own connection.
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", batch=True, no_startup_delay=True, queue_name="*", verbosity=0)


def _ics_start(message: Any) -> datetime:
    attachments = [a for a in message.attachments if a[0].endswith(".ics")]
    assert len(attachments) == 1, [a[0] for a in message.attachments]
    _name, content, mimetype = attachments[0]
    assert mimetype.startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(content)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    start = events[0].decoded("DTSTART")
    assert isinstance(start, datetime)
    assert start.tzinfo is not None
    return start


def _own_page_path(message: Any) -> str:
    found = re.search(r"https?://\S+/volunteer/[\w-]+/me/[^\s\"<>]+/", message.body)
    assert found, message.body
    return urlsplit(found.group(0)).path


def _sign_up_on_phone(phone: Any, org_slug: str, title: str, first: str, last: str) -> None:
    phone.goto(f"/volunteer/{org_slug}/")
    expect(phone.get_by_role("heading", name="Sign up to volunteer")).to_be_visible()
    # The first of the weekly shifts: today's.
    phone.get_by_role("link", name=re.compile(rf"for {title}, ")).first.click()
    expect(phone.get_by_role("heading", name=title)).to_be_visible()
    phone.get_by_label("First name").fill(first)
    phone.get_by_label("Last name").fill(last)
    phone.get_by_label("Email (required)").fill(f"{first.lower()}@example.org")
    phone.locator("#signup-form").get_by_role("button").click()


def test_volunteer_signs_up_is_promoted_checks_in_and_hours_are_approved(
    browser: Any, live_server: Any, page: Any, shot: Any, mailoutbox: list[Any]
) -> None:
    zone_name, start = _zone_and_start()
    end = start + timedelta(hours=2)
    today: date_type = start.date()
    org = organization_create(slug="alpha", name="Alpha Outreach", time_zone=zone_name)
    coordinator = make_user("coord@alpha.test", full_name="Cora Coordinator")
    membership = membership_set(organization=org, user=coordinator, role=Role.VOLUNTEER_COORDINATOR)
    admin = make_user("admin@alpha.test", full_name="Ada Admin")
    admin_access = membership_set(organization=org, user=admin, role=Role.ADMIN)
    # Two people already on file with a current signed waiver; the second is also a donor.
    with org_context(org):
        waiver = qualification_type_create(
            organization=org, actor=coordinator, access=membership, name="Signed waiver"
        )
        for first, last in (("Ana", "Lopez"), ("Ben", "Okafor")):
            person = volunteer_create(
                organization=org,
                actor=coordinator,
                access=membership,
                first_name=first,
                last_name=last,
                email=f"{first.lower()}@example.org",
                status="active",
            )
            qualification_add(
                organization=org,
                actor=coordinator,
                access=membership,
                volunteer=person,
                type=waiver,
                issued_on=today - timedelta(days=30),
                expires_on=today + timedelta(days=335),
            )
        donor = donor_create(
            organization=org,
            actor=admin,
            access=admin_access,
            first_name="Ben",
            last_name="Okafor",
            email="ben@example.org",
        )

    # The coordinator creates the opportunity, needing the waiver, and its weekly shift.
    sign_in(page, "coord@alpha.test")
    expect(page).to_have_url(re.compile(r"/o/alpha/$"))
    page.locator("#nav-volunteers").click()
    page.get_by_role("link", name="Opportunities", exact=True).click()
    page.get_by_role("link", name="New opportunity").first.click()
    page.get_by_label("Title").fill("Food pantry")
    page.get_by_label("Location").fill("12 Main Street")
    page.get_by_label("Signed waiver").check()
    shot(page, "volunteer-1-opportunity")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#messages")).to_contain_text("Opportunity Food pantry added")
    expect(page.get_by_role("heading", name="New shifts of Food pantry")).to_be_visible()
    page.get_by_label("Every week").check()
    page.get_by_label("Date (first date when weekly)").fill(today.isoformat())
    page.get_by_label("Starts").fill(start.strftime("%H:%M"))
    page.get_by_label("Ends").fill(end.strftime("%H:%M"))
    page.get_by_label(today.strftime("%A")).check()
    page.get_by_label("Until (weekly, included)").fill((today + timedelta(days=7)).isoformat())
    page.get_by_label("Places").fill("1")
    shot(page, "volunteer-2-weekly-shift")
    page.get_by_role("button", name="Add").click()
    expect(page.locator("#messages")).to_contain_text("2 shifts added to Food pantry")

    phone_context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    phone_context.set_default_timeout(TIMEOUT_MS)
    phone = phone_context.new_page()

    # The first person signs up from a phone: confirmed, with the shift in an .ics.
    _sign_up_on_phone(phone, "alpha", "Food pantry", "Ana", "Lopez")
    expect(phone.get_by_role("heading", name="You're confirmed")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "volunteer-3-confirmed-on-phone")
    run_jobs()
    assert [m.to for m in mailoutbox] == [["ana@example.org"]]
    confirmation = mailoutbox[0]
    assert confirmation.subject.startswith("You're confirmed: Food pantry")
    assert _ics_start(confirmation) == start
    ana_page = _own_page_path(confirmation)

    # The second person: the only place is taken, so the waitlist.
    _sign_up_on_phone(phone, "alpha", "Food pantry", "Ben", "Okafor")
    expect(phone.get_by_role("heading", name="You're on the waitlist")).to_be_visible()
    run_jobs()
    assert [m.to for m in mailoutbox[1:]] == [["ben@example.org"]]
    assert mailoutbox[1].subject.startswith("You're on the waitlist: Food pantry")
    assert not [a for a in mailoutbox[1].attachments if a[0].endswith(".ics")]

    # The first opens the link from their email and cancels: the second is promoted and told.
    phone.goto(ana_page)
    expect(phone.get_by_role("heading", name="Hello Ana")).to_be_visible()
    phone.get_by_role("button", name=re.compile(r"^Cancel Food pantry")).first.click()
    expect(phone.get_by_role("status")).to_contain_text("Your sign-up is cancelled")
    shot(phone, "volunteer-4-cancelled-on-phone")
    phone_context.close()
    run_jobs()
    later = {m.to[0]: m for m in mailoutbox[2:]}
    assert sorted(later) == ["ana@example.org", "ben@example.org"]
    assert later["ana@example.org"].subject.startswith("Cancelled: Food pantry")
    promoted = later["ben@example.org"]
    assert promoted.subject.startswith("You're in: Food pantry")
    assert _ics_start(promoted) == start
    with org_context(org):
        ben_signup = SignUp.objects.get(volunteer__email="ben@example.org")
    assert ben_signup.status == SignUpStatus.CONFIRMED

    # The tablet at the door: the coordinator starts kiosk mode there; Ben checks in and out.
    tablet_context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1024, "height": 768}
    )
    tablet_context.set_default_timeout(TIMEOUT_MS)
    tablet = tablet_context.new_page()
    sign_in(tablet, "coord@alpha.test")
    expect(tablet).to_have_url(re.compile(r"/o/alpha/$"))
    tablet.goto("/o/alpha/volunteers/kiosk/start/")
    tablet.get_by_role("button", name="Start kiosk mode").click()
    today_list = tablet.get_by_role("region", name="Today's shifts")
    expect(today_list).to_contain_text("Food pantry")
    tablet.get_by_role("searchbox", name="Find your name").fill("Okafor")
    tablet.get_by_role("button", name="Check in Ben Okafor").click()
    expect(tablet.locator(f"#signup-{ben_signup.pk}")).to_contain_text("Checked in at")
    # The walk takes seconds; an hour at the shift is made by moving the check-in back an hour,
    # so the check-out logs hours to approve (less than a minute logs none).
    with org_context(org):
        SignUp.objects.filter(pk=ben_signup.pk).update(
            checked_in_at=timezone.now() - timedelta(hours=1)
        )
    tablet.get_by_role("button", name="Check out Ben Okafor").click()
    expect(tablet.locator(f"#signup-{ben_signup.pk}")).to_contain_text("1.00 h")
    shot(tablet, "volunteer-5-kiosk")
    # Kiosk mode keeps the tablet on the kiosk.
    tablet.goto("/o/alpha/volunteers/hours/queue/")
    expect(tablet).to_have_url(re.compile(r"/o/alpha/volunteers/kiosk/"))
    tablet_context.close()

    # The coordinator approves the hours in the queue.
    page.locator("#nav-volunteers").click()
    page.get_by_role("link", name="Hours to approve").click()
    queue = page.locator("#queue-results")
    expect(queue).to_contain_text("Okafor, Ben")
    expect(queue).to_contain_text("1.00")
    shot(page, "volunteer-6-queue")
    queue.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator("#messages")).to_be_visible()
    expect(queue).not_to_contain_text("Okafor")
    with org_context(org):
        entry = HoursEntry.objects.get()
    assert entry.status == "approved"

    # The hours report counts them.
    page.locator("#nav-volunteers").click()
    page.get_by_role("link", name="Volunteer reports").click()
    expect(page.locator("#figure-hours")).to_have_text("1.00")
    expect(page.get_by_role("region", name=re.compile("volunteer", re.I)).first).to_contain_text(
        "Okafor"
    )
    shot(page, "volunteer-7-report")

    # Ben's volunteer page offers the donor with the same email; linked, his donor profile
    # shows the approved hours.
    page.locator("#nav-volunteers").click()
    page.get_by_role("link", name="Volunteers", exact=True).click()
    page.get_by_role("link", name=re.compile("Okafor")).first.click()
    page.get_by_role("button", name="Link to donor Ben Okafor").click()
    expect(page.locator("#linked-donor")).to_contain_text("Ben Okafor")
    # The coordinator does not see donors; an admin opens the donor profile.
    office_context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 800}
    )
    office_context.set_default_timeout(TIMEOUT_MS)
    office = office_context.new_page()
    sign_in(office, "admin@alpha.test")
    expect(office).to_have_url(re.compile(r"/o/alpha/$"))
    office.goto(f"/o/alpha/volunteers/{ben_signup.volunteer_id}/")
    office.locator("#linked-donor").get_by_role("link", name="Ben Okafor").click()
    expect(office).to_have_url(re.compile(rf"/o/alpha/donors/{donor.pk}/$"))
    expect(office.locator("#volunteer-panel")).to_contain_text("Ben Okafor")
    expect(office.locator("#volunteer-approved-hours")).to_have_text("1.00")
    shot(office, "volunteer-8-donor-profile")
    office_context.close()

    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []
    assert page.failed_assets == []
