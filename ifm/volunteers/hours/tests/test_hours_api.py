"""/api/v1/hours with real tokens: log, list with filters, correct, approve and reject."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.volunteers.models import HoursEntry
from ifm.volunteers.tests import factories as vf

BASE = "/api/v1/hours"
DAY = (date.today() - timedelta(days=2)).isoformat()


def test_log_list_approve_and_reject(org_a: Any, cast: dict[str, Any]) -> None:
    client = api_client_for(cast["volunteer_coordinator"], org_a)
    person = vf.volunteer(org_a)
    opp = vf.opportunity(org_a)
    made = send_json(
        client,
        "POST",
        BASE,
        {"volunteer_id": person.pk, "date": DAY, "hours": "2.5", "opportunity_id": opp.pk},
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["hours"], body["status"], body["source"]) == ("2.50", "pending", "coordinator")
    other = send_json(client, "POST", BASE, {"volunteer_id": person.pk, "date": DAY, "hours": "1"})
    assert other.status_code == 201

    listed = client.get(BASE, {"status": "pending", "opportunity_id": str(opp.pk)}).json()
    assert [i["id"] for i in listed["items"]] == [body["id"]]

    approved = client.post(f"{BASE}/{body['id']}/approve")
    assert approved.json()["status"] == "approved"
    again = client.post(f"{BASE}/{body['id']}/approve")
    assert_problem(again, 422)

    rejected = send_json(client, "POST", f"{BASE}/{other.json()['id']}/reject", {"reason": "Twice"})
    assert (rejected.json()["status"], rejected.json()["rejection_reason"]) == ("rejected", "Twice")
    no_reason = send_json(client, "POST", f"{BASE}/{body['id']}/reject", {})
    assert_problem(no_reason, 422)


def test_bad_hours_are_a_422_naming_the_field(org_a: Any, cast: dict[str, Any]) -> None:
    client = api_client_for(cast["admin"], org_a)
    person = vf.volunteer(org_a)
    for hours in ("0", "24.5", "25", "1.234", "-1", "abc"):
        answer = send_json(
            client, "POST", BASE, {"volunteer_id": person.pk, "date": DAY, "hours": hours}
        )
        problem = assert_problem(answer, 422)
        assert problem["errors"][0]["field"] == "hours", (hours, problem)


def test_another_organizations_volunteer_is_refused(
    org_a: Any, org_b: Any, cast: dict[str, Any]
) -> None:
    client = api_client_for(cast["admin"], org_a)
    answer = send_json(
        client, "POST", BASE, {"volunteer_id": vf.volunteer(org_b).pk, "date": DAY, "hours": "1"}
    )
    assert assert_problem(answer, 422)["errors"][0]["field"] == "volunteer_id"


def test_patch_with_a_stale_version_is_409(org_a: Any, cast: dict[str, Any]) -> None:
    client = api_client_for(cast["volunteer_coordinator"], org_a)
    entry = vf.hours_entry(org_a, hours="3")
    changed = send_json(
        client, "PATCH", f"{BASE}/{entry.pk}", {"version": entry.version, "hours": "3.75"}
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["hours"] == "3.75"
    stale = send_json(
        client, "PATCH", f"{BASE}/{entry.pk}", {"version": entry.version, "hours": "1"}
    )
    assert_problem(stale, 409)


def test_roles(org_a: Any, cast: dict[str, Any]) -> None:
    entry = vf.hours_entry(org_a)
    viewer = api_client_for(cast["viewer"], org_a)
    assert viewer.get(BASE).status_code == 200
    assert_problem(viewer.post(f"{BASE}/{entry.pk}/approve"), 403)
    assert_problem(
        send_json(
            viewer, "POST", BASE, {"volunteer_id": entry.volunteer_id, "date": DAY, "hours": "1"}
        ),
        403,
    )
    finance = api_client_for(cast["finance"], org_a)
    assert_problem(finance.get(BASE), 403)


def test_bulk_approve(org_a: Any, cast: dict[str, Any]) -> None:
    client = api_client_for(cast["admin"], org_a)
    a, b = vf.hours_entry(org_a), vf.hours_entry(org_a)
    done = send_json(client, "POST", f"{BASE}/approve", {"ids": [a.pk, b.pk]})
    assert [e["status"] for e in done.json()] == ["approved", "approved"]
    with org_context(org_a):
        assert set(HoursEntry.objects.values_list("status", flat=True)) == {"approved"}
