"""The desk's tools through the API: platform staff only; a bug or grant named from a ticket
of another organization is a 404."""

from __future__ import annotations

from typing import Any

import pytest

from ifm.accounts.services import membership_set
from ifm.conftest import make_user
from ifm.core.org_context import all_organizations
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.support import bugs, services
from ifm.support.models import Status, Ticket
from ifm.support.tests.conftest import member
from ifm.tenancy.roles import Role

pytestmark = pytest.mark.django_db

BASE = "/api/v1/platform/support"


@pytest.fixture
def desk(org_a: Any) -> Any:
    """A platform staff member's API client (a token needs an organization to be made in)."""
    user = make_user("desk-api@ifm.test", full_name="Pat Desk", is_platform_staff=True)
    membership_set(organization=org_a, user=user, role=Role.VIEWER)
    client = api_client_for(user, org_a)
    client.user = user  # type: ignore[attr-defined]
    return client


def open_ticket(org: Any, user: Any, **fields: Any) -> Ticket:
    values: dict[str, Any] = {"subject": "Cannot post", "description": "Nothing happens."}
    values.update(fields)
    return services.ticket_open(**member(org, user), **values)


def test_only_platform_staff(org_a: Any, cast: dict[str, Any]) -> None:
    ticket = open_ticket(org_a, cast["staff"])
    admin = api_client_for(cast["admin"], org_a)
    assert_problem(admin.get(f"{BASE}/canned-replies"), 403)
    assert_problem(admin.get(f"{BASE}/bugs"), 403)
    assert_problem(admin.get(f"{BASE}/bug-counts"), 403)
    assert_problem(
        send_json(admin, "POST", f"{BASE}/tickets/{ticket.pk}/merge", {"duplicate_id": 1}), 403
    )
    assert_problem(admin.get(f"{BASE}/tickets/{ticket.pk}/access-grants"), 403)


def test_canned_replies_by_api(desk: Any, org_a: Any, cast: dict[str, Any]) -> None:
    made = send_json(
        desk, "POST", f"{BASE}/canned-replies", {"title": "Hi", "body": "Hi {first_name}"}
    )
    assert made.status_code == 201, made.content
    reply_id = made.json()["id"]
    problem = assert_problem(
        send_json(desk, "POST", f"{BASE}/canned-replies", {"title": "X", "body": "{secret}"}), 422
    )
    assert problem["errors"][0]["field"] == "body"
    assert_problem(
        send_json(desk, "POST", f"{BASE}/canned-replies", {"title": "Hi", "body": "x"}), 422
    )
    assert [r["title"] for r in desk.get(f"{BASE}/canned-replies").json()["items"]] == ["Hi"]
    changed = send_json(
        desk,
        "PUT",
        f"{BASE}/canned-replies/{reply_id}",
        {"title": "Hi", "body": "Hello {first_name}, {ticket}"},
    )
    assert changed.status_code == 200
    ticket = open_ticket(org_a, cast["staff"])
    filled = desk.get(f"{BASE}/tickets/{ticket.pk}/canned-replies/{reply_id}").json()
    assert filled["body"] == f"Hello Alpha, {ticket.reference}"
    assert desk.get(f"{BASE}/tickets/{ticket.pk}/canned-replies/999999").status_code == 404
    assert desk.delete(f"{BASE}/canned-replies/{reply_id}").status_code == 204
    assert desk.delete(f"{BASE}/canned-replies/{reply_id}").status_code == 404


def test_merge_by_api(desk: Any, org_a: Any, org_b: Any, cast: dict[str, Any]) -> None:
    target = open_ticket(org_a, cast["staff"])
    duplicate = open_ticket(org_a, cast["viewer"])
    theirs = open_ticket(org_b, cast["other_admin"])
    url = f"{BASE}/tickets/{target.pk}/merge"
    problem = assert_problem(send_json(desk, "POST", url, {"duplicate_id": theirs.pk}), 422)
    assert "same organization" in problem["detail"]
    assert_problem(send_json(desk, "POST", url, {"duplicate_id": target.pk}), 422)
    assert_problem(send_json(desk, "POST", url, {"duplicate_id": 2**31 - 1}), 422)
    done = send_json(desk, "POST", url, {"duplicate_id": duplicate.pk})
    assert done.status_code == 200, done.content
    assert send_json(desk, "POST", url, {"duplicate_id": duplicate.pk}).status_code == 200
    with all_organizations():
        duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED
    assert duplicate.merged_into_id == target.pk


def test_bugs_by_api_and_another_organizations_bug_is_a_404(
    desk: Any, org_a: Any, org_b: Any, cast: dict[str, Any]
) -> None:
    ticket = open_ticket(org_a, cast["staff"])
    theirs = bugs.bug_create(
        actor=desk.user, ticket=open_ticket(org_b, cast["other_admin"]), title="B", severity="low"
    )
    made = send_json(
        desk,
        "POST",
        f"{BASE}/tickets/{ticket.pk}/bugs",
        {"title": "Dead button", "severity": "critical"},
    )
    assert made.status_code == 201, made.content
    bug = made.json()
    assert bug["organization"] == "alpha"
    assert [t["id"] for t in bug["tickets"]] == [ticket.pk]
    assert_problem(
        send_json(
            desk, "POST", f"{BASE}/tickets/{ticket.pk}/bugs", {"title": "x", "severity": "urgent"}
        ),
        422,
    )
    # B's bug from A's ticket: missing, by every method.
    assert desk.put(f"{BASE}/tickets/{ticket.pk}/bugs/{theirs.pk}").status_code == 404
    assert desk.delete(f"{BASE}/tickets/{ticket.pk}/bugs/{theirs.pk}").status_code == 404
    second = open_ticket(org_a, cast["viewer"])
    linked = desk.put(f"{BASE}/tickets/{second.pk}/bugs/{bug['id']}")
    assert [t["id"] for t in linked.json()["tickets"]] == [ticket.pk, second.pk]
    assert desk.get(f"{BASE}/bug-counts?organization=alpha").json() == {
        "critical": 1,
        "high": 0,
        "medium": 0,
        "low": 0,
    }
    assert desk.get(f"{BASE}/bug-counts?organization=nope").status_code == 404
    listed = desk.get(f"{BASE}/bugs?organization=alpha&severity=critical&status=open").json()
    assert [b["id"] for b in listed["items"]] == [bug["id"]]
    assert len(desk.get(f"{BASE}/bugs").json()["items"]) == 2
    assert desk.get(f"{BASE}/bugs?severity=urgent").status_code == 422
    fixed = send_json(desk, "PATCH", f"{BASE}/bugs/{bug['id']}", {"status": "fixed"})
    assert fixed.json()["status"] == "fixed"
    assert fixed.json()["fixed_at"] is not None
    assert desk.get(f"{BASE}/bug-counts").json()["critical"] == 0
    assert desk.delete(f"{BASE}/tickets/{second.pk}/bugs/{bug['id']}").status_code == 204
    assert desk.get(f"{BASE}/bugs/999999").status_code == 404


def test_access_by_api(desk: Any, org_a: Any, org_b: Any, cast: dict[str, Any]) -> None:
    ticket = open_ticket(org_b, cast["other_admin"])
    other = open_ticket(org_b, cast["other_admin"])
    url = f"{BASE}/tickets/{ticket.pk}/access-grants"
    assert_problem(send_json(desk, "POST", url, {"hours": 25}), 422)
    assert_problem(send_json(desk, "POST", url, {"role": "owner"}), 422)
    made = send_json(desk, "POST", url, {"role": "viewer", "hours": 3})
    assert made.status_code == 201, made.content
    grant = made.json()
    assert grant["active"] is True
    assert grant["reason"].startswith(f"Support ticket beta{ticket.reference}")
    assert [g["id"] for g in desk.get(url).json()] == [grant["id"]]
    # A grant is revoked from the ticket it was asked from only.
    assert (
        desk.post(f"{BASE}/tickets/{other.pk}/access-grants/{grant['id']}/revoke").status_code
        == 404
    )
    revoked = desk.post(f"{url}/{grant['id']}/revoke")
    assert revoked.status_code == 200
    assert revoked.json()["active"] is False
