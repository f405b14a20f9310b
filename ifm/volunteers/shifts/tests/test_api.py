"""/api/v1 opportunities, shifts and staff sign-ups, with real tokens."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.volunteers.models import HoursEntry, Shift, SignUp
from ifm.volunteers.tests import factories as vf

pytestmark = pytest.mark.django_db


@pytest.fixture
def clients(org_a: Any, cast: dict[str, Any]) -> dict[str, Client]:
    return {
        role: api_client_for(cast[role], org_a)
        for role in ("volunteer_coordinator", "staff", "finance")
    }


def test_opportunities_are_made_listed_and_read(
    org_a: Any, org_b: Any, clients: dict[str, Client]
) -> None:
    coord = clients["volunteer_coordinator"]
    waiver = vf.qualification_type(org_a, "Signed waiver")
    made = send_json(
        coord,
        "POST",
        "/api/v1/opportunities",
        {"title": "Pantry", "qualification_type_ids": [waiver.pk], "minimum_age": 16},
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["title"], body["qualification_type_ids"], body["upcoming_shifts"]) == (
        "Pantry",
        [waiver.pk],
        0,
    )
    listed = clients["staff"].get("/api/v1/opportunities?q=pan").json()
    assert [o["id"] for o in listed["items"]] == [body["id"]]
    assert clients["staff"].get(f"/api/v1/opportunities/{body['id']}").status_code == 200
    theirs = vf.opportunity(org_b)
    assert_problem(clients["staff"].get(f"/api/v1/opportunities/{theirs.pk}"), 404)
    assert_problem(
        send_json(clients["staff"], "POST", "/api/v1/opportunities", {"title": "X"}), 403
    )
    assert_problem(clients["finance"].get("/api/v1/opportunities"), 403)
    refused = send_json(coord, "POST", "/api/v1/opportunities", {"title": " "})
    assert assert_problem(refused, 422)["errors"][0]["field"] == "title"


def test_a_shift_and_a_weekly_series_are_made(org_a: Any, clients: dict[str, Client]) -> None:
    coord = clients["volunteer_coordinator"]
    opp = vf.opportunity(org_a)
    day = timezone.now().date() + timedelta(days=3)
    one = send_json(
        coord,
        "POST",
        "/api/v1/shifts",
        {
            "opportunity_id": opp.pk,
            "capacity": 3,
            "starts_at": f"{day}T09:00:00",
            "ends_at": f"{day}T12:00:00",
            "roles": [{"name": "Driver", "capacity": 1}],
        },
    )
    assert one.status_code == 201, one.content
    made = one.json()
    assert (made["count"], made["series_id"]) == (1, None)
    starts = datetime.fromisoformat(made["shifts"][0]["starts_at"])
    assert starts == datetime.combine(day, time(9), ZoneInfo("America/New_York"))
    assert made["shifts"][0]["spots_left"] == 3

    monday = date(2031, 3, 3)
    weekly = send_json(
        coord,
        "POST",
        "/api/v1/shifts",
        {
            "opportunity_id": opp.pk,
            "capacity": 5,
            "weekly": {
                "weekdays": [1, 3],
                "start_time": "09:00",
                "end_time": "11:30",
                "first_date": str(monday),
                "until": str(monday + timedelta(days=27)),
            },
        },
    )
    assert weekly.status_code == 201, weekly.content
    assert weekly.json()["count"] == 8
    assert weekly.json()["series_id"]

    too_many = send_json(
        coord,
        "POST",
        "/api/v1/shifts",
        {
            "opportunity_id": opp.pk,
            "capacity": 5,
            "weekly": {
                "weekdays": [1, 2, 3, 4, 5, 6, 7],
                "start_time": "09:00",
                "end_time": "11:30",
                "first_date": "2031-01-01",
                "until": "2032-12-31",
            },
        },
    )
    assert "at most 500" in assert_problem(too_many, 422)["detail"]
    both = send_json(coord, "POST", "/api/v1/shifts", {"opportunity_id": opp.pk, "capacity": 5})
    assert_problem(both, 422)

    listed = clients["staff"].get(
        f"/api/v1/shifts?from=2031-03-01&to=2031-03-10&opportunity_id={opp.pk}"
    )
    assert listed.status_code == 200, listed.content
    assert len(listed.json()["items"]) == 3
    assert_problem(clients["staff"].get("/api/v1/shifts?from=2031-03-10&to=2031-03-01"), 422)
    assert_problem(clients["staff"].get("/api/v1/shifts?from=yesterday"), 422)


def test_signups_confirm_waitlist_cancel_promote_and_check_in_and_out(
    org_a: Any, org_b: Any, clients: dict[str, Client]
) -> None:
    coord = clients["volunteer_coordinator"]
    soon = timezone.now() + timedelta(minutes=30)
    shift = vf.shift(org_a, capacity=1, starts_at=soon)
    first, second = vf.volunteer(org_a), vf.volunteer(org_a)
    url = f"/api/v1/shifts/{shift.pk}/signups"
    a = send_json(coord, "POST", url, {"volunteer_id": first.pk})
    b = send_json(coord, "POST", url, {"volunteer_id": second.pk})
    assert (a.status_code, b.status_code) == (201, 201), (a.content, b.content)
    assert (a.json()["status"], b.json()["status"]) == ("confirmed", "waitlisted")
    again = send_json(coord, "POST", url, {"volunteer_id": first.pk})
    assert "already confirmed" in assert_problem(again, 422)["detail"]
    theirs = vf.volunteer(org_b)
    assert_problem(send_json(coord, "POST", url, {"volunteer_id": theirs.pk}), 422)
    assert_problem(send_json(clients["staff"], "POST", url, {"volunteer_id": first.pk}), 403)
    roster = clients["staff"].get(url).json()["items"]
    assert [s["status"] for s in roster] == ["confirmed", "waitlisted"]

    cancelled = send_json(coord, "POST", f"/api/v1/signups/{a.json()['id']}/cancel", {})
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["promoted"] == [b.json()["id"]]

    signup_id = b.json()["id"]
    checked_in = send_json(coord, "POST", f"/api/v1/signups/{signup_id}/check-in", {})
    assert checked_in.status_code == 200, checked_in.content
    assert checked_in.json()["checked_in_at"]
    with org_context(org_a):
        SignUp.objects.filter(pk=signup_id).update(
            checked_in_at=timezone.now() - timedelta(hours=2)
        )
    out = send_json(coord, "POST", f"/api/v1/signups/{signup_id}/check-out", {})
    assert out.status_code == 200, out.content
    assert out.json()["hours"] == "2.00"
    with org_context(org_a):
        assert HoursEntry.objects.get().hours == 2
    assert_problem(send_json(coord, "POST", f"/api/v1/signups/{signup_id}/check-out", {}), 422)
    other = vf.signup(org_b)
    assert_problem(send_json(coord, "POST", f"/api/v1/signups/{other.pk}/cancel", {}), 404)


def test_the_shift_list_reads_a_page_in_a_few_queries(
    org_a: Any, clients: dict[str, Client], django_assert_max_num_queries: Any
) -> None:
    opp = vf.opportunity(org_a)
    for i in range(30):
        vf.shift(org_a, opp, starts_at=timezone.now() + timedelta(days=1, hours=i))
    with org_context(org_a):
        assert Shift.objects.count() == 30
    with django_assert_max_num_queries(12):
        listed = clients["staff"].get("/api/v1/shifts?limit=50")
    assert len(listed.json()["items"]) == 30
