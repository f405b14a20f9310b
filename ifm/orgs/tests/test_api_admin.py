"""The admin's page-only actions through the API: withdrawing an invitation, lifting a
member's lockout, reading and changing the organization's settings (with `version`)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ifm.accounts.lockout import is_locked_out
from ifm.accounts.models import Invitation
from ifm.accounts.tests.test_lockout import LIMIT, fail
from ifm.audit.models import AuditEvent
from ifm.core.org_context import all_organizations
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.tenancy.models import Membership, Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(cast: dict[str, Any], org_a: Organization) -> Any:
    return api_client_for(cast["admin"], org_a)


def _invite(client: Any, email: str) -> int:
    response = send_json(
        client, "POST", "/api/v1/members/invitations", {"email": email, "role": "staff"}
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def test_revoke_an_invitation(
    admin: Any, cast: dict[str, Any], org_a: Organization, org_b: Organization
) -> None:
    invitation_id = _invite(admin, "new@alpha.test")
    finance = api_client_for(cast["finance"], org_a)
    path = f"/api/v1/members/invitations/{invitation_id}/revoke"
    assert send_json(finance, "POST", path, {}).status_code == 403
    response = send_json(admin, "POST", path, {})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "revoked"
    problem = assert_problem(send_json(admin, "POST", path, {}), 422)
    assert "already revoked" in problem["detail"]
    # Another organization's invitation is a 404, and stays pending.
    other = _invite(api_client_for(cast["other_admin"], org_b), "new@beta.test")
    assert (
        send_json(admin, "POST", f"/api/v1/members/invitations/{other}/revoke", {}).status_code
        == 404
    )
    with all_organizations():
        assert Invitation.all_orgs.get(pk=other).is_pending
        assert AuditEvent.objects.filter(action="invitation.revoke").count() == 1


def test_unlock_a_member(admin: Any, cast: dict[str, Any], org_a: Organization) -> None:
    fail(Client(), "staff@alpha.test", LIMIT)
    assert is_locked_out("staff@alpha.test")
    with all_organizations():
        member = Membership.all_orgs.get(user=cast["staff"], organization=org_a)
        other = Membership.all_orgs.get(user=cast["other_admin"])
    finance = api_client_for(cast["finance"], org_a)
    assert send_json(finance, "POST", f"/api/v1/members/{member.pk}/unlock", {}).status_code == 403
    assert send_json(admin, "POST", f"/api/v1/members/{other.pk}/unlock", {}).status_code == 404
    assert is_locked_out("staff@alpha.test")
    response = send_json(admin, "POST", f"/api/v1/members/{member.pk}/unlock", {})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["member_id"], body["was_locked_out"], body["locked_out"]) == (
        member.pk,
        True,
        False,
    )
    assert body["attempt_records_cleared"] >= 1
    assert not is_locked_out("staff@alpha.test")
    with all_organizations():
        assert AuditEvent.objects.filter(action="user.unlock", organization=org_a).count() == 1


def test_organization_settings_read_and_change_with_version(
    admin: Any, cast: dict[str, Any], org_a: Organization
) -> None:
    body = admin.get("/api/v1/organization/settings").json()
    assert body["slug"] == "alpha"
    version = body["version"]
    changed = send_json(
        admin,
        "PATCH",
        "/api/v1/organization/settings",
        {"version": version, "currency": "cad", "time_zone": "America/Winnipeg"},
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["currency"], changed.json()["time_zone"]) == ("CAD", "America/Winnipeg")
    assert changed.json()["version"] == version + 1
    # A stale version changes nothing.
    stale = send_json(
        admin, "PATCH", "/api/v1/organization/settings", {"version": version, "city": "Nowhere"}
    )
    assert_problem(stale, 409)
    for bad in (
        {"currency": "ABC"},
        {"time_zone": "Mars/Olympus"},
        {"fiscal_year_start_month": 13},
    ):
        problem = assert_problem(
            send_json(
                admin, "PATCH", "/api/v1/organization/settings", {"version": version + 1, **bad}
            ),
            422,
        )
        assert problem["errors"][0]["field"].endswith(next(iter(bad)))
    assert_problem(
        send_json(
            admin,
            "PATCH",
            "/api/v1/organization/settings",
            {"version": version + 1, "slug": "other"},
        ),
        422,
    )
    org = Organization.objects.get(pk=org_a.pk)
    assert (org.currency, org.time_zone, org.version) == ("CAD", "America/Winnipeg", version + 1)
    finance = api_client_for(cast["finance"], org_a)
    assert finance.get("/api/v1/organization/settings").status_code == 403
    assert (
        send_json(
            finance, "PATCH", "/api/v1/organization/settings", {"version": version + 1}
        ).status_code
        == 403
    )
