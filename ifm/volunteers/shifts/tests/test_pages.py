"""The opportunity and shift pages: lists with filters and exports, the forms, and a shift's
roster where staff sign volunteers up, cancel, and check them in and out."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.volunteers.models import Opportunity, Shift, ShiftRole, SignUp
from ifm.volunteers.shifts.tests.conftest import who
from ifm.volunteers.signups import services as signups
from ifm.volunteers.tests import factories as vf

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"volunteers:{name}", kwargs={"org_slug": "alpha", **kwargs})


@pytest.fixture
def coord(cast: dict[str, Any]) -> Client:
    return client_for(cast["volunteer_coordinator"])


@pytest.fixture
def staff(cast: dict[str, Any]) -> Client:
    return client_for(cast["staff"])


def test_a_coordinator_makes_an_opportunity_and_its_weekly_shifts(
    org_a: Any, coord: Client
) -> None:
    waiver = vf.qualification_type(org_a, "Signed waiver")
    made = coord.post(
        url("opportunity_new"),
        {"title": "Saturday pantry", "qualifications": [waiver.pk], "is_public": "on"},
    )
    assert made.status_code == 302, made.content.decode()
    with org_context(org_a):
        opp = Opportunity.objects.get()
    assert made["Location"] == url("shift_new", opportunity_id=opp.pk)

    first = timezone.now().date() + timedelta(days=1)
    added = coord.post(
        url("shift_new", opportunity_id=opp.pk),
        {
            "repeat": "weekly",
            "date": first.isoformat(),
            "start_time": "09:00",
            "end_time": "12:00",
            "weekdays": ["6"],
            "until": (first + timedelta(days=27)).isoformat(),
            "capacity": "10",
            "roles": "Driver: 2\nSorter: 8",
        },
    )
    assert added.status_code == 302, added.content.decode()
    with org_context(org_a):
        shifts = list(Shift.objects.all())
        assert len(shifts) == 4
        assert ShiftRole.objects.count() == 8
    assert {s.starts_at.astimezone(NEW_YORK).time() for s in shifts} == {time(9)}

    detail = coord.get(url("opportunity_detail", opportunity_id=opp.pk))
    assert detail.status_code == 200
    assert "Signed waiver" in detail.content.decode()
    assert detail.content.decode().count("Weekly") == 4

    bad = coord.post(
        url("shift_new", opportunity_id=opp.pk),
        {
            "repeat": "weekly",
            "date": "2031-01-01",
            "start_time": "09:00",
            "end_time": "12:00",
            "weekdays": ["1", "2", "3", "4", "5", "6", "7"],
            "until": "2032-12-31",
            "capacity": "10",
        },
    )
    assert bad.status_code == 422
    assert "at most 500" in bad.content.decode()
    roles = coord.post(
        url("shift_new", opportunity_id=opp.pk),
        {
            "repeat": "once",
            "date": "2031-01-01",
            "start_time": "09:00",
            "end_time": "12:00",
            "capacity": "1",
            "roles": "Driver two",
        },
    )
    assert roles.status_code == 422
    assert "Name: places" in roles.content.decode()


def test_lists_filter_and_export(org_a: Any, staff: Client) -> None:
    opp = vf.opportunity(org_a, title="Tutoring")
    vf.opportunity(org_a, title="Gardening")
    day = timezone.now().date() + timedelta(days=2)
    evening = vf.shift(org_a, opp, starts_at=datetime.combine(day, time(18), NEW_YORK))
    listed = staff.get(url("opportunity_list"), {"q": "tutor"})
    assert listed.status_code == 200
    assert "Tutoring" in listed.content.decode()
    assert "Gardening" not in listed.content.decode()
    exported = staff.get(url("opportunity_export_csv"), {"q": "tutor"})
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))  # type: ignore[attr-defined]
    assert [r[0] for r in rows] == ["Title", "Tutoring"]
    assert staff.get(url("opportunity_export_xlsx")).status_code == 200

    shifts = staff.get(
        url("shift_list"), {"date_from": day.isoformat(), "date_to": day.isoformat()}
    )
    assert shifts.status_code == 200
    assert "18:00" in shifts.content.decode()  # the organization's clock, not UTC
    assert f'href="{url("shift_detail", shift_id=evening.pk)}"' in shifts.content.decode()
    none = staff.get(url("shift_list"), {"opportunity": vf.opportunity(org_a).pk})
    assert "No shifts match" in none.content.decode()
    exported = staff.get(url("shift_export_csv"))
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))  # type: ignore[attr-defined]
    assert rows[1][:2] == ["Tutoring", f"{day.isoformat()} 18:00:00"]
    assert staff.get(url("shift_export_xlsx")).status_code == 200
    assert staff.get(url("opportunity_new")).status_code == 403


def test_staff_signups_on_the_shift_page(org_a: Any, coord: Client, cast: dict[str, Any]) -> None:
    shift = vf.shift(org_a, capacity=1, starts_at=timezone.now() + timedelta(minutes=20))
    ada, bob = vf.volunteer(org_a, first_name="Ada"), vf.volunteer(org_a, first_name="Bob")
    first = coord.post(url("shift_signup_add", shift_id=shift.pk), {"volunteer": ada.pk})
    assert first.status_code == 302
    second = coord.post(url("shift_signup_add", shift_id=shift.pk), {"volunteer": bob.pk})
    assert second.status_code == 302
    page = coord.get(url("shift_detail", shift_id=shift.pk)).content.decode()
    assert "is on the waitlist" in page
    assert "Full" in page
    again = coord.post(url("shift_signup_add", shift_id=shift.pk), {"volunteer": ada.pk})
    assert again.status_code == 422
    assert "already confirmed on this shift" in again.content.decode()

    with org_context(org_a):
        ada_signup = SignUp.objects.get(volunteer=ada)
        bob_signup = SignUp.objects.get(volunteer=bob)
    cancelled = coord.post(url("shift_signup_cancel", signup_id=ada_signup.pk), follow=True)
    assert "confirmed: Bob" in cancelled.content.decode()
    coord.post(url("shift_signup_check_in", signup_id=bob_signup.pk))
    out = coord.post(url("shift_signup_check_out", signup_id=bob_signup.pk), follow=True)
    assert "is checked out" in out.content.decode()
    with org_context(org_a):
        bob_signup.refresh_from_db()
    assert bob_signup.checked_in_at
    assert bob_signup.checked_out_at
    assert coord.get(url("shift_signup_cancel", signup_id=bob_signup.pk)).status_code == 405
    staff = client_for(cast["staff"])
    assert staff.post(url("shift_signup_cancel", signup_id=bob_signup.pk)).status_code == 403
    assert staff.get(url("shift_detail", shift_id=shift.pk)).status_code == 200


def test_editing_a_shift_never_goes_below_the_confirmed(
    org_a: Any, coord: Client, cast: dict[str, Any]
) -> None:
    shift = vf.shift(org_a, capacity=2)
    for _ in range(2):
        signups.sign_up(
            **who(org_a, cast["volunteer_coordinator"]), shift=shift, volunteer=vf.volunteer(org_a)
        )
    local = shift.starts_at.astimezone(NEW_YORK)
    form = {
        "date": local.date().isoformat(),
        "start_time": local.strftime("%H:%M"),
        "end_time": shift.ends_at.astimezone(NEW_YORK).strftime("%H:%M"),
        "notes": "Bring gloves",
        "version": "1",
    }
    refused = coord.post(url("shift_edit", shift_id=shift.pk), {**form, "capacity": "1"})
    assert refused.status_code == 422
    assert "cannot be less than 2" in refused.content.decode()
    saved = coord.post(url("shift_edit", shift_id=shift.pk), {**form, "capacity": "3"})
    assert saved.status_code == 302
    stale = coord.post(url("shift_edit", shift_id=shift.pk), {**form, "capacity": "4"})
    assert stale.status_code == 409
    cancelled = coord.post(url("shift_cancel", shift_id=shift.pk), follow=True)
    assert "2 sign-ups cancelled" in cancelled.content.decode()


def test_a_day_in_the_list_is_the_organizations_day(org_a: Any, staff: Client) -> None:
    opp = vf.opportunity(org_a)
    day = date.today() + timedelta(days=3)
    vf.shift(org_a, opp, starts_at=datetime.combine(day, time(23), NEW_YORK), hours=1)
    page = staff.get(url("shift_list"), {"date_from": day.isoformat(), "date_to": day.isoformat()})
    assert "23:00" in page.content.decode()


def test_the_shift_list_costs_the_same_queries_for_5_or_40_shifts(
    org_a: Any, staff: Client
) -> None:
    opp = vf.opportunity(org_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert staff.get(url("shift_list")).status_code == 200
        return len(seen)

    for i in range(5):
        vf.signup(org_a, vf.shift(org_a, opp, starts_at=timezone.now() + timedelta(hours=5 + i)))
    queries()  # warm-up: the first request of a session reads and caches what others reuse
    few = queries()
    for i in range(35):
        vf.signup(
            org_a, vf.shift(org_a, opp, starts_at=timezone.now() + timedelta(days=1, hours=i))
        )
    assert queries() == few


def test_odd_dates_are_refused_or_clamped_never_a_server_error(
    org_a: Any, coord: Client, cast: dict[str, Any]
) -> None:
    from ifm.core.tests.api_helpers import api_client_for, send_json

    org_a.time_zone = "Asia/Tokyo"  # ahead of UTC: day one of year one would fall before it
    org_a.save(update_fields=["time_zone"])
    opp = vf.opportunity(org_a)
    listed = coord.get(url("shift_list"), {"date_from": "0001-01-01", "date_to": "9999-12-31"})
    assert listed.status_code == 200
    far = coord.post(
        url("shift_new", opportunity_id=opp.pk),
        {
            "repeat": "once",
            "date": "9999-12-31",
            "start_time": "22:00",
            "end_time": "23:00",
            "capacity": "2",
        },
    )
    assert far.status_code == 422
    assert "from 2000 to 2199" in far.content.decode()
    api = api_client_for(cast["volunteer_coordinator"], org_a)
    assert api.get("/api/v1/shifts?from=0001-01-01&to=9999-12-31").status_code in (200, 422)
    body = {"opportunity_id": opp.pk, "capacity": 2}
    for extra in (
        {"starts_at": "9999-12-31T22:00:00", "ends_at": "9999-12-31T23:00:00"},
        {"starts_at": "2031-01-01T09:00:00", "ends_at": "2031-01-01T08:00:00"},
        {
            "weekly": {
                "weekdays": [8],
                "start_time": "09:00",
                "end_time": "10:00",
                "first_date": "2031-01-01",
                "until": "2031-02-01",
            }
        },
    ):
        answer = send_json(api, "POST", "/api/v1/shifts", {**body, **extra})
        assert answer.status_code == 422, answer.content
    with org_context(org_a):
        assert not Shift.objects.exists()
