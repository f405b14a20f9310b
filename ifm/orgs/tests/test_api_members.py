"""/api/v1/members: list, read, change and invite, each behind its permission."""

from __future__ import annotations

from typing import Any

import pytest

from ifm.accounts.models import Invitation
from ifm.audit.models import AuditEvent
from ifm.core.org_context import all_organizations, org_context
from ifm.core.tests.api_helpers import (
    api_client_for,
    assert_problem,
    send_json,
)
from ifm.tenancy.models import Membership


def _membership(user: Any, org: Any) -> Membership:
    with all_organizations():
        return Membership.all_orgs.select_related("user").get(user=user, organization=org)


@pytest.fixture
def admin_api(cast: dict[str, Any], org_a: Any) -> Any:
    return api_client_for(cast["admin"], org_a)


def test_list_shows_only_own_organization(admin_api: Any, cast: dict[str, Any]) -> None:
    body = admin_api.get("/api/v1/members").json()
    emails = {m["user"]["email"] for m in body["items"]}
    assert emails == {
        f"{role}@alpha.test"
        for role in ("admin", "finance", "fundraising", "volunteer_coordinator", "staff", "viewer")
    }
    assert "admin@beta.test" not in emails


def test_get_member(admin_api: Any, cast: dict[str, Any], org_a: Any) -> None:
    m = _membership(cast["staff"], org_a)
    body = admin_api.get(f"/api/v1/members/{m.pk}").json()
    assert body["id"] == m.pk
    assert body["user"] == {
        "id": cast["staff"].pk,
        "email": "staff@alpha.test",
        "full_name": "Alpha Staff",
    }
    assert (body["role"], body["is_active"], body["version"], body["has_2fa"]) == (
        "staff",
        True,
        1,
        False,
    )


def test_finance_may_read_but_not_change(cast: dict[str, Any], org_a: Any) -> None:
    finance = api_client_for(cast["finance"], org_a)
    m = _membership(cast["staff"], org_a)
    assert finance.get(f"/api/v1/members/{m.pk}").status_code == 200
    response = send_json(
        finance, "PATCH", f"/api/v1/members/{m.pk}", {"version": 1, "role": "admin"}
    )
    assert_problem(response, 403)
    assert _membership(cast["staff"], org_a).role == "staff"


@pytest.mark.parametrize("role", ["staff", "viewer", "fundraising", "volunteer_coordinator"])
def test_roles_without_members_view_get_403(cast: dict[str, Any], org_a: Any, role: str) -> None:
    client = api_client_for(cast[role], org_a)
    m = _membership(cast["admin"], org_a)
    assert_problem(client.get("/api/v1/members"), 403)
    assert_problem(client.get(f"/api/v1/members/{m.pk}"), 403)


def test_patch_changes_role_and_is_audited(
    admin_api: Any, cast: dict[str, Any], org_a: Any
) -> None:
    m = _membership(cast["staff"], org_a)
    response = send_json(
        admin_api, "PATCH", f"/api/v1/members/{m.pk}", {"version": 1, "role": "finance"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["role"], body["version"]) == ("finance", 2)
    fresh = _membership(cast["staff"], org_a)
    assert (fresh.role, fresh.version, fresh.updated_by_id) == ("finance", 2, cast["admin"].pk)
    with org_context(org_a):
        event = AuditEvent.objects.filter(action="membership.update", object_id=str(m.pk)).latest(
            "created_at"
        )
    assert event.actor_id == cast["admin"].pk
    assert event.changes == {"role": {"before": "staff", "after": "finance"}}
    assert event.request_id


def test_patch_deactivates(admin_api: Any, cast: dict[str, Any], org_a: Any) -> None:
    m = _membership(cast["viewer"], org_a)
    response = send_json(
        admin_api, "PATCH", f"/api/v1/members/{m.pk}", {"version": 1, "is_active": False}
    )
    assert response.json()["is_active"] is False
    assert _membership(cast["viewer"], org_a).is_active is False


def test_patch_with_stale_version_is_409(admin_api: Any, cast: dict[str, Any], org_a: Any) -> None:
    m = _membership(cast["staff"], org_a)
    assert (
        send_json(
            admin_api, "PATCH", f"/api/v1/members/{m.pk}", {"version": 1, "role": "viewer"}
        ).status_code
        == 200
    )
    stale = send_json(
        admin_api, "PATCH", f"/api/v1/members/{m.pk}", {"version": 1, "is_active": False}
    )
    problem = assert_problem(stale, 409)
    assert "Alpha Admin" in problem["detail"]
    assert _membership(cast["staff"], org_a).is_active is True


def test_other_organizations_member_is_404(
    admin_api: Any, cast: dict[str, Any], org_b: Any
) -> None:
    theirs = _membership(cast["other_admin"], org_b)
    assert_problem(admin_api.get(f"/api/v1/members/{theirs.pk}"), 404)
    assert_problem(
        send_json(
            admin_api, "PATCH", f"/api/v1/members/{theirs.pk}", {"version": 1, "is_active": False}
        ),
        404,
    )
    assert _membership(cast["other_admin"], org_b).is_active is True


def test_invite(admin_api: Any, org_a: Any) -> None:
    response = send_json(
        admin_api,
        "POST",
        "/api/v1/members/invitations",
        {"email": "New.Person@Example.org", "role": "fundraising"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["email"], body["role"], body["status"]) == (
        "new.person@example.org",
        "fundraising",
        "pending",
    )
    with org_context(org_a):
        invitation = Invitation.objects.get(pk=body["id"])
    assert invitation.role == "fundraising"


def test_invite_needs_members_manage(cast: dict[str, Any], org_a: Any) -> None:
    finance = api_client_for(cast["finance"], org_a)
    response = send_json(
        finance, "POST", "/api/v1/members/invitations", {"email": "x@example.org", "role": "staff"}
    )
    assert_problem(response, 403)
    with org_context(org_a):
        assert not Invitation.objects.exists()


def test_invite_existing_member_is_422(admin_api: Any) -> None:
    response = send_json(
        admin_api,
        "POST",
        "/api/v1/members/invitations",
        {"email": "staff@alpha.test", "role": "staff"},
    )
    assert assert_problem(response, 422)["errors"][0]["field"] == "email"
