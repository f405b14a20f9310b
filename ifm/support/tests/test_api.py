"""The API twin: members' tickets, replies and ratings; the platform list and metrics."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ifm.conftest import make_user
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.support import selectors, services
from ifm.support.tests.conftest import member

pytestmark = pytest.mark.django_db
TICKETS = "/api/v1/support/tickets"


def test_open_get_reply_and_list(org_a: Any, cast: dict[str, Any], run_jobs: Any) -> None:
    client = api_client_for(cast["staff"], org_a)
    created = send_json(
        client,
        "POST",
        TICKETS,
        {"subject": "Import fails", "description": "Row 3 refused.", "priority": "low"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["number"], body["status"], body["source"]) == (1, "new", "api")
    assert body["first_response"]["state"] == "ok"
    assert body["replies"] == []
    ticket_id = body["id"]
    reply = send_json(client, "POST", f"{TICKETS}/{ticket_id}/replies", {"body": "Any news?"})
    assert reply.status_code == 201
    assert [r["body"] for r in reply.json()["replies"]] == ["Any news?"]
    listing = client.get(TICKETS).json()
    assert [t["id"] for t in listing["items"]] == [ticket_id]
    assert listing["next"] is None
    assert client.get(f"{TICKETS}?status=closed").json()["items"] == []


def test_hostile_or_wrong_input_is_a_clear_4xx(org_a: Any, cast: dict[str, Any]) -> None:
    client = api_client_for(cast["staff"], org_a)
    problem = assert_problem(
        send_json(client, "POST", TICKETS, {"subject": "x", "description": "y", "tier": 3}), 422
    )
    assert problem["errors"][0]["field"].endswith("tier")
    problem = assert_problem(
        send_json(client, "POST", TICKETS, {"subject": " ", "description": "y"}), 422
    )
    assert problem["errors"] == [{"field": "subject", "message": "Write the subject."}]
    assert_problem(client.get(f"{TICKETS}/999999"), 404)


def test_members_own_tickets_admins_all_other_orgs_404(
    org_a: Any, org_b: Any, cast: dict[str, Any]
) -> None:
    mine = services.ticket_open(**member(org_a, cast["staff"]), subject="a", description="b")
    assert api_client_for(cast["staff"], org_a).get(f"{TICKETS}/{mine.pk}").status_code == 200
    assert_problem(api_client_for(cast["viewer"], org_a).get(f"{TICKETS}/{mine.pk}"), 404)
    assert api_client_for(cast["admin"], org_a).get(f"{TICKETS}/{mine.pk}").status_code == 200
    assert_problem(api_client_for(cast["other_admin"], org_b).get(f"{TICKETS}/{mine.pk}"), 404)
    assert api_client_for(cast["viewer"], org_a).get(TICKETS).json()["items"] == []


def test_rating_after_resolution_once(org_a: Any, cast: dict[str, Any]) -> None:
    staff = make_user("desk@ifm.test", is_platform_staff=True)
    ticket = services.ticket_open(**member(org_a, cast["staff"]), subject="a", description="b")
    client = api_client_for(cast["staff"], org_a)
    url = f"{TICKETS}/{ticket.pk}/rating"
    assert_problem(send_json(client, "POST", url, {"score": 5}), 409)
    services.ticket_set_status(actor=staff, ticket=ticket, status="resolved")
    assert_problem(send_json(client, "POST", url, {"score": 9}), 422)
    rated = send_json(client, "POST", url, {"score": 5, "comment": "Fast"})
    assert rated.status_code == 201
    assert rated.json()["score"] == 5
    assert_problem(send_json(client, "POST", url, {"score": 4}), 409)


def test_platform_list_and_metrics_for_platform_staff_only(
    org_a: Any, org_b: Any, cast: dict[str, Any]
) -> None:
    staff = make_user("desk@ifm.test", is_platform_staff=True)
    from ifm.accounts.services import membership_set
    from ifm.tenancy.roles import Role

    membership_set(organization=org_a, user=staff, role=Role.VIEWER)
    now = timezone.now()
    a = services.ticket_open(
        **member(org_a, cast["staff"]),
        subject="late",
        description="x",
        priority="critical",
        now=now - timedelta(hours=3),
    )
    b = services.ticket_open(**member(org_b, cast["other_admin"]), subject="fine", description="y")
    services.ticket_staff_reply(
        actor=staff, ticket=b, body="On it", now=b.created_at + timedelta(minutes=30)
    )
    client = api_client_for(staff, org_a)
    everything = client.get("/api/v1/platform/support/tickets").json()["items"]
    assert {(t["organization"], t["id"]) for t in everything} == {("alpha", a.pk), ("beta", b.pk)}
    breached = client.get("/api/v1/platform/support/tickets?breached=true").json()["items"]
    assert [(t["id"], t["breached"]) for t in breached] == [(a.pk, True)]
    assert client.get("/api/v1/platform/support/tickets?priority=low").json()["items"] == []

    today = timezone.localdate()
    metrics = client.get(
        f"/api/v1/platform/support/metrics?from={today - timedelta(days=1)}&to={today}"
    )
    assert metrics.status_code == 200, metrics.content
    data = metrics.json()
    assert data["tickets"] == 2
    assert data["breaches"] == 1
    assert data["open_critical"] == 1
    assert data["first_response_minutes"]["medium"] == {"count": 1, "p50": 30.0, "p95": 30.0}
    assert len(data["tickets_per_day"]) == 2
    assert_problem(
        client.get(f"/api/v1/platform/support/metrics?from={today}&to={today - timedelta(days=1)}"),
        422,
    )

    outsider = api_client_for(cast["admin"], org_a)
    assert_problem(outsider.get("/api/v1/platform/support/tickets"), 403)
    assert_problem(outsider.get("/api/v1/platform/support/metrics"), 403)


def test_support_metrics_for_one_organization_with_satisfaction(
    org_a: Any, org_b: Any, cast: dict[str, Any]
) -> None:
    staff = make_user("desk@ifm.test", is_platform_staff=True)
    for score in (5, 4):
        ticket = services.ticket_open(**member(org_a, cast["staff"]), subject="s", description="d")
        services.ticket_set_status(actor=staff, ticket=ticket, status="resolved")
        services.ticket_rate(**member(org_a, cast["staff"]), ticket=ticket, score=score)
    services.ticket_open(
        **member(org_b, cast["other_admin"]), subject="s", description="d", priority="critical"
    )
    today = timezone.localdate()
    alpha = selectors.support_metrics(organization=org_a, start=today, end=today)
    assert alpha["tickets"] == 2
    assert alpha["open_critical"] == 0
    assert alpha["satisfaction"]["average"] == 4.5
    assert alpha["satisfaction"]["count"] == 2
    assert alpha["tickets_per_day"] == [{"date": today, "count": 2}]
    everyone = selectors.support_metrics(start=today, end=today)
    assert everyone["tickets"] == 3
    assert everyone["open_critical"] == 1
    assert selectors.percentile([1, 2, 3, 4], 0.5) == 2
    assert selectors.percentile([], 0.5) is None
