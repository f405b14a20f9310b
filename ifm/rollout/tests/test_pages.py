"""The rollout console's pages for platform staff (anyone else: 404) and the organization's own
onboarding page for its admins (other roles: 403)."""

from __future__ import annotations

from typing import Any

import pytest

from ifm.conftest import client_for
from ifm.core.org_context import all_organizations, org_context
from ifm.rollout import services
from ifm.rollout.models import OnboardingSignOff, OrganizationRollout, Phase, Wave
from ifm.tenancy import modules
from ifm.tenancy.models import Organization

PLATFORM_PAGES = [
    ("GET", "/platform/rollout/"),
    ("GET", "/platform/rollout/o/alpha/"),
    ("POST", "/platform/rollout/o/alpha/move"),
    ("POST", "/platform/rollout/o/alpha/modules"),
    ("POST", "/platform/rollout/o/alpha/sign-off"),
    ("GET", "/platform/rollout/phases/"),
    ("POST", "/platform/rollout/phases/"),
    ("GET", "/platform/rollout/phases/pilot/"),
    ("POST", "/platform/rollout/phases/pilot/"),
    ("POST", "/platform/rollout/phases/pilot/apply"),
    ("POST", "/platform/rollout/phases/pilot/waves"),
]


@pytest.mark.parametrize(("method", "path"), PLATFORM_PAGES)
def test_only_platform_staff_reach_the_console(
    cast: dict[str, Any], method: str, path: str
) -> None:
    client = client_for(cast["admin"])
    response = client.get(path) if method == "GET" else client.post(path, {"phase": "pilot"})
    assert response.status_code == 404
    with all_organizations():
        assert not OrganizationRollout.objects.exists()
    assert Phase.objects.count() == 4


def test_the_board_shows_phases_as_columns(
    staff: Any, org_a: Any, org_b: Any, pilot: Phase
) -> None:
    services.organization_move(organization=org_a, phase=pilot, actor=staff)
    response = client_for(staff).get("/platform/rollout/")
    assert response.status_code == 200
    columns = response.context["columns"]
    assert [c.title for c in columns] == [
        "Not in a phase",
        "Internal testing",
        "Pilot",
        "Limited release",
        "Full production",
    ]
    assert [card.organization.slug for card in columns[2].cards] == ["alpha"]
    assert [card.organization.slug for card in columns[0].cards] == ["beta"]
    html = response.content.decode()
    assert 'data-org="alpha"' in html
    assert "onboarding 0/10" in html


def test_moving_from_the_board(staff: Any, org_a: Any, pilot: Phase) -> None:
    client = client_for(staff)
    response = client.post("/platform/rollout/o/alpha/move", {"phase": "pilot", "from": "board"})
    assert response.status_code == 302
    assert response["Location"] == "/platform/rollout/"
    org = Organization.objects.get(pk=org_a.pk)
    assert set(modules.enabled_module_keys(org)) == set(modules.core_module_keys())


def test_the_organization_page_moves_and_overrides(staff: Any, org_a: Any, pilot: Phase) -> None:
    wave = services.wave_create(actor=staff, phase=pilot, name="Wave 1")
    client = client_for(staff)
    page = client.get("/platform/rollout/o/alpha/")
    assert page.status_code == 200
    assert "Not in a phase" in page.content.decode()

    response = client.post(
        "/platform/rollout/o/alpha/move",
        {"phase": "pilot", "wave": str(wave.pk), "go_live_on": "2027-01-11"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/platform/rollout/o/alpha/"
    states = {f"module_{key}": "phase" for key in modules.module_keys()}
    states.update(module_volunteers="on", module_banking="off")
    assert client.post("/platform/rollout/o/alpha/modules", states).status_code == 302
    page = client.get("/platform/rollout/o/alpha/")
    rows = {row.key: row for row in page.context["summary"].modules}
    assert (rows["volunteers"].override, rows["volunteers"].enabled) == ("enabled", True)
    assert (rows["banking"].override, rows["banking"].enabled) == ("disabled", False)
    assert (rows["donors"].override, rows["donors"].enabled) == ("", True)
    html = page.content.decode()
    assert "Wave 1" in html
    assert "2027-01-11" in html


def test_bad_input_is_shown_beside_the_fields(staff: Any, org_a: Any, pilot: Phase) -> None:
    client = client_for(staff)
    response = client.post("/platform/rollout/o/alpha/move", {"phase": "nowhere"})
    assert response.status_code == 422
    assert response.context["move_form"].errors["phase"]
    other = Phase.objects.get(slug="full-production")
    wave = Wave.objects.create(phase=other, name="Late")
    response = client.post("/platform/rollout/o/alpha/move", {"phase": "pilot", "wave": wave.pk})
    assert response.status_code == 422
    assert "not of Pilot" in response.content.decode()
    response = client.post("/platform/rollout/o/alpha/modules", {"module_donors": "maybe"})
    assert response.status_code == 422
    assert client.get("/platform/rollout/o/nowhere/").status_code == 404


def test_phases_are_listed_added_and_edited(staff: Any) -> None:
    client = client_for(staff)
    page = client.get("/platform/rollout/phases/")
    assert page.status_code == 200
    assert "Core features only" in page.content.decode()
    response = client.post(
        "/platform/rollout/phases/",
        {"name": "Second pilot", "order": "5", "module_set": "list", "module_keys": ["donors"]},
    )
    assert response.status_code == 302
    phase = Phase.objects.get(slug="second-pilot")
    assert phase.modules == ["donors"]
    response = client.post(
        "/platform/rollout/phases/",
        {"name": "pilot", "order": "6", "module_set": "all"},
    )
    assert response.status_code == 422
    assert "already a phase named Pilot" in response.content.decode()

    edit = client.get("/platform/rollout/phases/second-pilot/")
    assert edit.context["form"].initial["module_keys"] == ["donors"]
    response = client.post(
        "/platform/rollout/phases/second-pilot/",
        {
            "name": "Second pilot",
            "order": "5",
            "module_set": "core",
            "success_criteria": "Everyone happy",
        },
    )
    assert response.status_code == 302
    phase.refresh_from_db()
    assert (phase.modules, phase.success_criteria) == ("core", "Everyone happy")
    response = client.post(
        "/platform/rollout/phases/second-pilot/waves",
        {"name": "W1", "kickoff_on": "2027-02-01", "go_live_on": "2027-01-01"},
    )
    assert response.status_code == 422
    assert (
        client.post("/platform/rollout/phases/second-pilot/waves", {"name": "W1"}).status_code
        == 302
    )
    assert phase.waves.get().name == "W1"


def test_platform_staff_sign_off_from_the_console(staff: Any, org_a: Any) -> None:
    client = client_for(staff)
    response = client.post(
        "/platform/rollout/o/alpha/sign-off", {"item": "training", "done": "on", "note": "Day 1"}
    )
    assert response.status_code == 302
    with org_context(org_a):
        row = OnboardingSignOff.objects.get(organization=org_a)
    assert (row.item, row.done_by, row.note) == ("training", staff, "Day 1")


def test_the_organizations_admin_sees_and_signs_off_its_checklist(
    cast: dict[str, Any], org_a: Any
) -> None:
    client = client_for(cast["admin"])
    page = client.get("/o/alpha/onboarding/")
    assert page.status_code == 200
    assert page.context["checklist"].organization == org_a
    assert "Data migration signed off" in page.content.decode()
    response = client.post("/o/alpha/onboarding/sign-off", {"item": "data_migration", "done": "on"})
    assert response.status_code == 302
    with org_context(org_a):
        assert OnboardingSignOff.objects.get(organization=org_a).done_by == cast["admin"]
    # Other roles of A, and B's admin, do not.
    for who in ("finance", "staff", "viewer"):
        assert client_for(cast[who]).get("/o/alpha/onboarding/").status_code == 403
        assert (
            client_for(cast[who]).post("/o/alpha/onboarding/sign-off", {"item": "training"})
        ).status_code == 403
    assert client_for(cast["other_admin"]).get("/o/alpha/onboarding/").status_code == 404
