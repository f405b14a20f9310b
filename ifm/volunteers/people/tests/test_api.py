"""/api/v1/volunteers and /api/v1/qualifications with real tokens: each endpoint, filters,
another organization's ids (404), refusals (422, 409, 403) that write nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.volunteers.models import Qualification, Volunteer
from ifm.volunteers.tests import factories as vf


@pytest.fixture
def clients(org_a: Any, org_b: Any, cast: dict[str, Any]) -> dict[str, Client]:
    out = {role: api_client_for(cast[role], org_a) for role in ("volunteer_coordinator", "viewer")}
    out["other_admin"] = api_client_for(cast["other_admin"], org_b)
    return out


def test_create_get_list_and_patch(org_a: Any, clients: dict[str, Client]) -> None:
    vc = clients["volunteer_coordinator"]
    r = send_json(
        vc,
        "post",
        "/api/v1/volunteers",
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@example.org",
            "status": "active",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["name"], body["status"], body["version"], body["approved_hours"]) == (
        "Ada Lovelace",
        "active",
        1,
        "0.00",
    )
    vid = body["id"]
    assert vc.get(f"/api/v1/volunteers/{vid}").json()["email"] == "ada@example.org"
    send_json(vc, "post", "/api/v1/volunteers", {"first_name": "Bob", "status": "applicant"})
    listed = vc.get("/api/v1/volunteers?q=lovelace").json()
    assert [i["id"] for i in listed["items"]] == [vid]
    applicants = vc.get("/api/v1/volunteers?status=applicant").json()["items"]
    assert [i["name"] for i in applicants] == ["Bob"]

    r = send_json(vc, "patch", f"/api/v1/volunteers/{vid}", {"version": 1, "skills": "driving"})
    assert r.status_code == 200, r.content
    assert (r.json()["skills"], r.json()["version"]) == ("driving", 2)
    stale = send_json(vc, "patch", f"/api/v1/volunteers/{vid}", {"version": 1, "skills": "x"})
    assert_problem(stale, 409)
    missing_version = send_json(vc, "patch", f"/api/v1/volunteers/{vid}", {"skills": "x"})
    assert_problem(missing_version, 422)
    with org_context(org_a):
        assert Volunteer.objects.get(pk=vid).skills == "driving"


def test_refusals_name_the_field(org_a: Any, clients: dict[str, Client]) -> None:
    vc = clients["volunteer_coordinator"]
    first = send_json(
        vc, "post", "/api/v1/volunteers", {"first_name": "Ada", "last_name": "Lovelace"}
    )
    assert first.status_code == 201
    dup = send_json(
        vc, "post", "/api/v1/volunteers", {"first_name": "Ada", "last_name": "Lovelace"}
    )
    assert {e["field"] for e in assert_problem(dup, 422)["errors"]} == {"duplicate"}
    minor = send_json(
        vc,
        "post",
        "/api/v1/volunteers",
        {
            "first_name": "Kid",
            "date_of_birth": (date.today() - timedelta(days=365 * 10)).isoformat(),
        },
    )
    fields = {e["field"] for e in assert_problem(minor, 422)["errors"]}
    assert fields == {"guardian_name", "guardian_consent"}
    unknown = send_json(vc, "post", "/api/v1/volunteers", {"first_name": "X", "organization": 2})
    assert_problem(unknown, 422)
    with org_context(org_a):
        assert Volunteer.objects.count() == 1


def test_permissions_and_other_organizations(
    org_a: Any, org_b: Any, clients: dict[str, Client]
) -> None:
    ours = vf.volunteer(org_a)
    theirs = vf.volunteer(org_b)
    viewer, vc, other = clients["viewer"], clients["volunteer_coordinator"], clients["other_admin"]
    assert viewer.get(f"/api/v1/volunteers/{ours.pk}").status_code == 200
    assert_problem(send_json(viewer, "post", "/api/v1/volunteers", {"first_name": "A"}), 403)
    assert_problem(
        send_json(viewer, "patch", f"/api/v1/volunteers/{ours.pk}", {"version": 1, "notes": "x"}),
        403,
    )
    assert_problem(vc.get(f"/api/v1/volunteers/{theirs.pk}"), 404)
    assert_problem(
        send_json(vc, "patch", f"/api/v1/volunteers/{theirs.pk}", {"version": 1, "notes": "x"}),
        404,
    )
    assert [i["id"] for i in other.get("/api/v1/volunteers").json()["items"]] == [theirs.pk]


def test_qualifications_add_and_filter(org_a: Any, org_b: Any, clients: dict[str, Client]) -> None:
    vc = clients["volunteer_coordinator"]
    kind = vf.qualification_type(org_a)
    soon, later = vf.volunteer(org_a), vf.volunteer(org_a)
    today = date.today()
    r = send_json(
        vc,
        "post",
        "/api/v1/qualifications",
        {
            "volunteer_id": soon.pk,
            "type_id": kind.pk,
            "issued_on": (today - timedelta(days=300)).isoformat(),
            "expires_on": (today + timedelta(days=10)).isoformat(),
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["type_name"] == kind.name
    send_json(
        vc,
        "post",
        "/api/v1/qualifications",
        {"volunteer_id": later.pk, "type_id": kind.pk, "issued_on": today.isoformat()},
    )
    everything = vc.get("/api/v1/qualifications").json()["items"]
    assert {q["volunteer_id"] for q in everything} == {soon.pk, later.pk}
    expiring = vc.get("/api/v1/qualifications?expiring_within_days=30").json()["items"]
    assert [q["volunteer_id"] for q in expiring] == [soon.pk]
    of_later = vc.get(f"/api/v1/qualifications?volunteer_id={later.pk}").json()["items"]
    assert [q["expires_on"] for q in of_later] == [None]

    theirs = vf.qualification_type(org_b)
    bad = send_json(
        vc,
        "post",
        "/api/v1/qualifications",
        {"volunteer_id": soon.pk, "type_id": theirs.pk, "issued_on": today.isoformat()},
    )
    assert {e["field"] for e in assert_problem(bad, 422)["errors"]} == {"type_id"}
    backwards = send_json(
        vc,
        "post",
        "/api/v1/qualifications",
        {
            "volunteer_id": soon.pk,
            "type_id": kind.pk,
            "issued_on": today.isoformat(),
            "expires_on": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert_problem(backwards, 422)
    with org_context(org_a):
        assert Qualification.objects.count() == 2
    assert clients["other_admin"].get("/api/v1/qualifications").json()["items"] == []
