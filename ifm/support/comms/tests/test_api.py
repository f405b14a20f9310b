"""The communications API: platform staff only; the same services as the pages."""

from __future__ import annotations

from typing import Any

from ifm.core.tests.api_helpers import api_client_for, send_json
from ifm.support.comms.models import Send

BASE = "/api/v1/platform/communications/"


def test_non_staff_get_403(cast: dict[str, Any], org_a: Any) -> None:
    client = api_client_for(cast["admin"], org_a)
    assert client.get(BASE + "templates").status_code == 403
    assert client.get(BASE + "sends").status_code == 403
    assert client.get("/api/v1/platform/announcements").status_code == 403
    body = {"template": "phase-kickoff", "audience": "organizations", "values": ["alpha"]}
    assert send_json(client, "POST", BASE + "sends", body).status_code == 403
    assert not Send.objects.exists()


def test_staff_send_a_kickoff_through_the_api(
    staff: Any,
    pilot: dict[str, Any],
    org_b: Any,
    run_jobs: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = api_client_for(staff, org_b)
    templates = client.get(BASE + "templates").json()
    assert {t["key"] for t in templates} >= {"phase-kickoff", "maintenance-notice"}
    body = {"template": "phase-kickoff", "audience": "phase", "values": ["pilot"]}
    preview = send_json(client, "POST", BASE + "sends/preview", body).json()
    assert (preview["recipients"], preview["problems"]) == (6, [])
    assert preview["example"]["subject"].startswith("IFM MVP Platform - Pilot Beginning")
    with django_capture_on_commit_callbacks(execute=True):
        created = send_json(client, "POST", BASE + "sends", body)
    assert created.status_code == 201
    send = created.json()
    assert send["status"] == "queued"
    assert client.get(f"{BASE}sends/{send['id']}").json()["job_status"] == "READY"
    run_jobs()
    done = client.get(f"{BASE}sends/{send['id']}").json()
    assert (done["status"], done["sent"], done["skipped"], done["failed"]) == ("done", 6, 0, 0)
    assert done["job_status"] == "SUCCESSFUL"
    assert len(mailoutbox) == 6
    listed = client.get(BASE + "sends").json()
    assert [s["id"] for s in listed["items"]] == [send["id"]]
    assert client.get(f"{BASE}sends/999999").status_code == 404


def test_templates_through_the_api(staff: Any, org_b: Any) -> None:
    client = api_client_for(staff, org_b)
    bad = send_json(
        client, "POST", BASE + "templates", {"name": "N", "subject": "S", "body": "{{ nope }}"}
    )
    assert bad.status_code == 422
    assert "{{ nope }}" in bad.json()["errors"][0]["message"]
    made = send_json(
        client,
        "POST",
        BASE + "templates",
        {"name": "Thanks", "subject": "Thanks {{ first_name }}", "body": "From {{ sender_name }}"},
    )
    assert made.status_code == 201
    tid, version = made.json()["id"], made.json()["version"]
    changed = send_json(
        client,
        "PUT",
        f"{BASE}templates/{tid}",
        {"name": "Thanks", "subject": "Thank you", "body": "B", "version": version},
    )
    assert changed.status_code == 200
    stale = send_json(
        client,
        "PUT",
        f"{BASE}templates/{tid}",
        {"name": "Thanks", "subject": "Again", "body": "B", "version": version},
    )
    assert stale.status_code == 409


def test_announcements_and_preferences_through_the_api(
    staff: Any, cast: dict[str, Any], org_a: Any, org_b: Any
) -> None:
    client = api_client_for(staff, org_b)
    made = send_json(
        client,
        "POST",
        "/api/v1/platform/announcements",
        {
            "message": "Down tonight",
            "level": "maintenance",
            "starts_at": "2026-05-09T22:00:00Z",
            "ends_at": "2026-05-09T23:00:00Z",
            "organizations": ["alpha"],
        },
    )
    assert made.status_code == 201
    assert made.json()["organizations"] == ["alpha"]
    unknown = send_json(
        client,
        "POST",
        "/api/v1/platform/announcements",
        {
            "message": "x",
            "starts_at": "2026-05-09T22:00:00Z",
            "ends_at": "2026-05-09T23:00:00Z",
            "organizations": ["nope"],
        },
    )
    assert unknown.status_code == 422
    member = api_client_for(cast["viewer"], org_a)
    assert member.get("/api/v1/communications/preferences").json() == {"announcements": True}
    off = send_json(member, "PUT", "/api/v1/communications/preferences", {"announcements": False})
    assert off.json() == {"announcements": False}
