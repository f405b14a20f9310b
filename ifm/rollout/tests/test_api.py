"""The platform API of the rollout (platform staff's tokens only) and the organization's own
onboarding API (its admins)."""

from __future__ import annotations

from typing import Any

from ifm.audit.models import AuditEvent
from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.rollout import services
from ifm.rollout.models import Phase
from ifm.tenancy import modules
from ifm.tenancy.models import Organization


def test_only_platform_staff_use_the_platform_api(cast: dict[str, Any], org_a: Any) -> None:
    client = api_client_for(cast["admin"], org_a)
    assert_problem(client.get("/api/v1/platform/phases"), 403)
    assert_problem(client.get("/api/v1/platform/organizations/alpha/rollout"), 403)
    assert_problem(
        send_json(client, "PUT", "/api/v1/platform/organizations/alpha/modules", {"modules": []}),
        403,
    )
    assert Organization.objects.get(pk=org_a.pk).enabled_modules is None


def test_phases(staff: Any, org_a: Any, pilot: Phase) -> None:
    services.organization_move(organization=org_a, phase=pilot, actor=staff)
    response = api_client_for(staff, org_a).get("/api/v1/platform/phases")
    assert response.status_code == 200
    phases = response.json()
    assert [p["slug"] for p in phases] == [
        "internal-testing",
        "pilot",
        "limited-release",
        "full-production",
    ]
    assert phases[1]["modules"] == "core"
    assert phases[1]["module_keys"] == modules.core_module_keys()
    assert phases[1]["organizations"] == 1
    assert phases[3]["target_organizations"] == 34
    assert "Zero critical bugs" in phases[0]["success_criteria"]


def test_an_organizations_rollout(staff: Any, org_a: Any, org_b: Any, pilot: Phase) -> None:
    client = api_client_for(staff, org_a)
    services.organization_move(organization=org_b, phase=pilot, actor=staff)
    # Another organization than the token's: platform staff see every one.
    body = client.get("/api/v1/platform/organizations/beta/rollout").json()
    assert (body["organization"], body["phase"], body["wave"]) == ("beta", "pilot", None)
    by_key = {m["key"]: m for m in body["modules"]}
    assert by_key["volunteers"] == {
        "key": "volunteers",
        "name": by_key["volunteers"]["name"],
        "core": False,
        "in_phase": False,
        "override": "",
        "enabled": False,
    }
    assert body["onboarding"]["total"] == 10
    assert_problem(client.get("/api/v1/platform/organizations/nowhere/rollout"), 404)


def test_put_modules(staff: Any, org_a: Any, org_b: Any, pilot: Phase) -> None:
    client = api_client_for(staff, org_a)
    services.organization_move(organization=org_b, phase=pilot, actor=staff)
    wanted = ["donors", "ledger", "volunteers"]
    response = send_json(
        client, "PUT", "/api/v1/platform/organizations/beta/modules", {"modules": wanted}
    )
    assert response.status_code == 200, response.content
    assert sorted(modules.enabled_module_keys(Organization.objects.get(slug="beta"))) == wanted
    overrides = {m["key"]: m["override"] for m in response.json()["modules"] if m["override"]}
    assert overrides["volunteers"] == "enabled"
    assert overrides["banking"] == "disabled"
    with org_context(org_b):
        event = AuditEvent.objects.filter(action="rollout.modules_override").get()
    assert event.actor_id == staff.pk

    bad = send_json(
        client,
        "PUT",
        "/api/v1/platform/organizations/beta/modules",
        {"modules": ["donors", "payroll"]},
    )
    problem = assert_problem(bad, 422)
    assert problem["errors"][0]["field"] == "modules"
    assert "payroll" in problem["errors"][0]["message"]
    assert sorted(modules.enabled_module_keys(Organization.objects.get(slug="beta"))) == wanted
    assert_problem(
        send_json(client, "PUT", "/api/v1/platform/organizations/beta/modules", {"modules": "x"}),
        422,
    )


def test_the_organizations_onboarding_api(cast: dict[str, Any], org_a: Any) -> None:
    client = api_client_for(cast["admin"], org_a)
    body = client.get("/api/v1/onboarding").json()
    assert body["total"] == 10
    response = send_json(
        client, "POST", "/api/v1/onboarding/sign-offs", {"item": "training", "note": "Done"}
    )
    assert response.status_code == 200
    training = next(i for i in response.json()["items"] if i["key"] == "training")
    assert training["done"]
    assert training["manual"]
    assert training["done_by"] == str(cast["admin"])
    bad = send_json(client, "POST", "/api/v1/onboarding/sign-offs", {"item": "party"})
    assert assert_problem(bad, 422)["errors"][0]["field"] == "item"
    viewer = api_client_for(cast["viewer"], org_a)
    assert_problem(viewer.get("/api/v1/onboarding"), 403)
    assert_problem(
        send_json(viewer, "POST", "/api/v1/onboarding/sign-offs", {"item": "training"}), 403
    )
