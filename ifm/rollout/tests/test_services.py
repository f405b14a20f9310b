"""Phases, waves, moving organizations and their module overrides: every change through the
services, applied through organization_modules_set, audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from ifm.audit.models import AuditEvent
from ifm.core.errors import ServiceError
from ifm.core.org_context import all_organizations, org_context
from ifm.rollout import services
from ifm.rollout.models import OrganizationRollout, Phase
from ifm.rollout.modulesets import phase_module_keys
from ifm.tenancy import modules
from ifm.tenancy.models import Organization

CORE = set(modules.core_module_keys())
ALL = set(modules.module_keys())


def _enabled(org: Any) -> set[str]:
    return set(modules.enabled_module_keys(Organization.objects.get(pk=org.pk)))


def _events(org: Any, action: str) -> list[AuditEvent]:
    with org_context(org):
        return list(AuditEvent.objects.filter(organization=org, action=action).order_by("pk"))


def test_the_seed_plan_is_the_default(db: Any) -> None:
    phases = list(Phase.objects.order_by("order"))
    assert [p.name for p in phases] == [
        "Internal testing",
        "Pilot",
        "Limited release",
        "Full production",
    ]
    assert [p.modules for p in phases] == ["all", "core", "all", "all"]
    assert [p.target_organizations for p in phases] == [None, 3, 10, 34]
    assert "Support team confident" in phases[1].success_criteria
    # "Core features only": volunteers is not a core module.
    assert "volunteers" in ALL - CORE
    assert set(phase_module_keys(phases[1])) == CORE


def test_moving_applies_the_phase_and_keeps_overrides(
    org_a: Any, pilot: Phase, limited: Phase, staff: Any
) -> None:
    services.organization_move(organization=org_a, phase=pilot, actor=staff)
    assert _enabled(org_a) == CORE

    services.organization_modules_override(
        organization=org_a, enabled=["volunteers"], disabled=["banking"], actor=staff
    )
    assert _enabled(org_a) == (CORE | {"volunteers"}) - {"banking"}

    services.organization_move(organization=org_a, phase=limited, actor=staff)
    # Every module but the one still disabled for this organization.
    assert _enabled(org_a) == ALL - {"banking"}
    with all_organizations():
        rollout = OrganizationRollout.objects.get(organization=org_a)
    assert (rollout.phase, rollout.modules_disabled) == (limited, ["banking"])

    services.organization_modules_override(organization=org_a, actor=staff)
    # All modules and no override: the organization gets "all", later modules included.
    assert Organization.objects.get(pk=org_a.pk).enabled_modules is None


def test_every_change_is_audited_in_the_organizations_log(
    org_a: Any, pilot: Phase, limited: Phase, staff: Any
) -> None:
    services.organization_move(organization=org_a, phase=pilot, actor=staff)
    services.organization_move(organization=org_a, phase=limited, actor=staff)
    moves = _events(org_a, "rollout.move")
    assert [e.changes["phase"] for e in moves] == [
        {"before": None, "after": "Pilot"},
        {"before": "Pilot", "after": "Limited release"},
    ]
    assert all(e.actor_id == staff.pk for e in moves)
    sets = _events(org_a, "organization.modules")
    assert [e.changes["reason"] for e in sets] == ["moved to Pilot", "moved to Limited release"]
    assert sets[0].changes["enabled_modules"]["after"] == sorted(CORE)

    services.organization_modules_override(organization=org_a, disabled=["ledger"], actor=staff)
    (override,) = _events(org_a, "rollout.modules_override")
    assert override.changes["modules_disabled"] == {"before": [], "after": ["ledger"]}


def test_the_same_move_again_writes_nothing(org_a: Any, pilot: Phase, staff: Any) -> None:
    services.organization_move(organization=org_a, phase=pilot, actor=staff)
    services.organization_move(organization=org_a, phase=pilot, actor=staff)
    assert len(_events(org_a, "rollout.move")) == 1
    assert len(_events(org_a, "organization.modules")) == 1


def test_unknown_modules_and_contradictions_are_refused_whole(org_a: Any, staff: Any) -> None:
    with pytest.raises(ServiceError, match="Unknown module payroll"):
        services.organization_modules_override(organization=org_a, enabled=["payroll"], actor=staff)
    with pytest.raises(ServiceError, match="both enabled and disabled"):
        services.organization_modules_override(
            organization=org_a, enabled=["ledger"], disabled=["ledger"], actor=staff
        )
    with pytest.raises(ServiceError, match="Unknown module payroll"):
        services.organization_modules_put(
            organization=org_a, module_keys=["ledger", "payroll"], actor=staff
        )
    assert Organization.objects.get(pk=org_a.pk).enabled_modules is None
    with all_organizations():
        assert not OrganizationRollout.objects.filter(organization=org_a).exists()


def test_put_keeps_the_difference_from_the_phase(
    org_a: Any, pilot: Phase, limited: Phase, staff: Any
) -> None:
    services.organization_move(organization=org_a, phase=pilot, actor=staff)
    wanted = sorted((CORE - {"reports"}) | {"volunteers"})
    rollout = services.organization_modules_put(organization=org_a, module_keys=wanted, actor=staff)
    assert (rollout.modules_enabled, rollout.modules_disabled) == (["volunteers"], ["reports"])
    assert _enabled(org_a) == set(wanted)


def test_only_platform_staff_change_the_rollout(
    cast: dict[str, Any], org_a: Any, pilot: Phase
) -> None:
    admin = cast["admin"]
    with pytest.raises(PermissionDenied):
        services.organization_move(organization=org_a, phase=pilot, actor=admin)
    with pytest.raises(PermissionDenied):
        services.organization_modules_override(organization=org_a, actor=admin)
    with pytest.raises(PermissionDenied):
        services.phase_create(actor=admin, name="Extra")
    with pytest.raises(PermissionDenied):
        services.wave_create(actor=admin, phase=pilot, name="W")
    assert Organization.objects.get(pk=org_a.pk).enabled_modules is None


def test_phase_create_and_update_are_checked_and_audited(staff: Any, pilot: Phase) -> None:
    phase = services.phase_create(
        actor=staff, name="Second pilot", modules_value=["donors", "ledger"]
    )
    assert (phase.slug, phase.order, phase.modules) == ("second-pilot", 5, ["donors", "ledger"])
    with pytest.raises(ServiceError, match="already a phase named Pilot"):
        services.phase_create(actor=staff, name="pilot")
    with pytest.raises(ServiceError, match="Unknown module payroll"):
        services.phase_create(actor=staff, name="Other", modules_value=["payroll"])
    with pytest.raises(ServiceError, match="number 2 already"):
        services.phase_update(
            actor=staff, phase=phase, name=phase.name, order=2, modules_value="all"
        )
    from datetime import date

    with pytest.raises(ServiceError, match="before the planned start"):
        services.phase_update(
            actor=staff,
            phase=phase,
            name=phase.name,
            order=5,
            modules_value="core",
            planned_start=date(2027, 2, 1),
            planned_end=date(2027, 1, 1),
        )
    services.phase_update(actor=staff, phase=phase, name="Pilot two", order=5, modules_value="core")
    with all_organizations():
        events = list(AuditEvent.objects.filter(action__startswith="rollout.phase_").order_by("pk"))
    assert [e.action for e in events] == ["rollout.phase_create", "rollout.phase_update"]
    assert events[1].changes["name"] == {"before": "Second pilot", "after": "Pilot two"}
    assert events[1].changes["modules"] == {"before": ["donors", "ledger"], "after": "core"}
    assert events[1].organization_id is None


def test_applying_a_changed_phase_reaches_its_organizations(
    org_a: Any, org_b: Any, pilot: Phase, staff: Any
) -> None:
    services.organization_move(organization=org_a, phase=pilot, actor=staff)
    services.organization_move(organization=org_b, phase=pilot, actor=staff)
    services.organization_modules_override(organization=org_b, enabled=["volunteers"], actor=staff)
    pilot = services.phase_update(
        actor=staff, phase=pilot, name="Pilot", order=2, modules_value=["donors"]
    )
    assert _enabled(org_a) == CORE  # not until applied
    assert services.phase_apply_modules(actor=staff, phase=pilot) == 2
    assert _enabled(org_a) == {"donors"}
    assert _enabled(org_b) == {"donors", "volunteers"}


def test_waves_belong_to_their_phase(org_a: Any, pilot: Phase, limited: Phase, staff: Any) -> None:
    from datetime import date

    wave = services.wave_create(
        actor=staff,
        phase=pilot,
        name="Wave 1",
        kickoff_on=date(2027, 1, 4),
        training_on=date(2027, 1, 6),
        go_live_on=date(2027, 1, 11),
    )
    with pytest.raises(ServiceError, match="already has a wave named"):
        services.wave_create(actor=staff, phase=pilot, name="wave 1")
    with pytest.raises(ServiceError, match="kickoff, then training"):
        services.wave_create(
            actor=staff, phase=pilot, name="W2", kickoff_on=date(2027, 2, 1),
            go_live_on=date(2027, 1, 1),
        )  # fmt: skip
    with pytest.raises(ServiceError, match="not of Limited release"):
        services.organization_move(organization=org_a, phase=limited, wave=wave, actor=staff)
    rollout = services.organization_move(
        organization=org_a, phase=pilot, wave=wave, go_live_on=date(2027, 1, 13), actor=staff
    )
    assert rollout.date("kickoff_on") == date(2027, 1, 4)  # the wave's
    assert rollout.date("go_live_on") == date(2027, 1, 13)  # its own


def test_the_command_line_acts_as_the_system(org_a: Any, pilot: Phase) -> None:
    services.organization_move(organization=org_a, phase=pilot, actor=None)
    (event,) = _events(org_a, "rollout.move")
    assert event.actor_id is None
    assert event.actor_label == "ifm command line"
