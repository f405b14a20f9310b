"""`ifm rollout status|move|modules`."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ifm.audit.models import AuditEvent
from ifm.core.org_context import org_context
from ifm.rollout import services
from ifm.rollout.models import Phase
from ifm.tenancy import modules
from ifm.tenancy.models import Organization


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("rollout", *args, stdout=out)
    return out.getvalue()


def _enabled(slug: str) -> set[str]:
    return set(modules.enabled_module_keys(Organization.objects.get(slug=slug)))


def test_status_shows_the_board(org_a: Any, org_b: Any, pilot: Phase) -> None:
    services.organization_move(organization=org_a, phase=pilot, actor=None)
    out = _run("status")
    assert out.index("Not in a phase (1") < out.index("beta") < out.index("Pilot (1 of 3")
    assert out.index("Pilot (1 of 3; Core features only)") < out.index("alpha")
    assert "onboarding 0/10" in out


def test_move_with_a_wave(org_a: Any, pilot: Phase) -> None:
    services.wave_create(actor=None, phase=pilot, name="Wave 1")
    out = _run("move", "--org", "alpha", "--phase", "Pilot", "--wave", "wave 1")
    assert "alpha: Pilot, Wave 1" in out
    assert "off volunteers" in out
    assert _enabled("alpha") == set(modules.core_module_keys())
    _run("move", "--org", "alpha", "--phase", "4")
    assert Organization.objects.get(slug="alpha").enabled_modules is None
    with org_context(org_a):
        assert AuditEvent.objects.filter(action="rollout.move").count() == 2


def test_modules_adds_to_the_overrides(org_a: Any, pilot: Phase) -> None:
    _run("move", "--org", "alpha", "--phase", "pilot")
    _run("modules", "--org", "alpha", "--enable", "volunteers")
    out = _run("modules", "--org", "alpha", "--disable", "banking", "reports")
    assert "on  volunteers (enabled for this organization)" in out
    assert "off banking (disabled for this organization)" in out
    assert _enabled("alpha") == set(modules.core_module_keys()) - {"banking", "reports"} | {
        "volunteers"
    }
    _run("modules", "--org", "alpha", "--reset")
    assert _enabled("alpha") == set(modules.core_module_keys())


def test_bad_input_is_refused(org_a: Any) -> None:
    with pytest.raises(CommandError, match="Unknown module payroll"):
        _run("modules", "--org", "alpha", "--enable", "payroll")
    with pytest.raises(CommandError, match="no organization 'nowhere'"):
        _run("move", "--org", "nowhere", "--phase", "pilot")
    with pytest.raises(CommandError, match="no phase 'beta-test'; the phases are internal"):
        _run("move", "--org", "alpha", "--phase", "beta-test")
    with pytest.raises(CommandError, match="Pilot has no wave 'W9'"):
        _run("move", "--org", "alpha", "--phase", "pilot", "--wave", "W9")
    with pytest.raises(CommandError, match="needs --org"):
        _run("move", "--phase", "pilot")
    with pytest.raises(CommandError, match="both enabled and disabled"):
        _run("modules", "--org", "alpha", "--enable", "ledger", "--disable", "ledger")
    assert Organization.objects.get(slug="alpha").enabled_modules is None
