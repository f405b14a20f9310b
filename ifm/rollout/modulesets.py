"""How a phase's module set and an organization's overrides make its enabled modules.

An organization's modules are (its phase's set | its enabled overrides) - its disabled
overrides. An organization in no phase starts from every module. Where that comes to every
module with nothing disabled, the organization is given `None` ("all", also the modules
registered later) rather than today's list, so a module added next year reaches it.
"""

from __future__ import annotations

from typing import Any

from ifm.rollout.models import ALL, CORE, Phase
from ifm.tenancy import modules


def phase_module_keys(phase: Phase | None) -> list[str]:
    """The module keys a phase enables today (no phase: all of them)."""
    chosen = ALL if phase is None else phase.modules
    if chosen == ALL:
        return modules.module_keys()
    if chosen == CORE:
        return modules.core_module_keys()
    known = set(modules.module_keys())
    # A key of a module no longer registered is kept on the phase but enables nothing.
    return sorted(k for k in chosen or [] if k in known)


def describe_phase_modules(value: Any) -> str:
    if value == ALL:
        return "All modules"
    if value == CORE:
        return "Core features only"
    return ", ".join(value) if value else "No modules"


def effective_module_keys(
    *, phase: Phase | None, enabled: list[str], disabled: list[str]
) -> list[str] | None:
    """The set to give `organization_modules_set`: a sorted list, or None for every module."""
    everything = phase is None or phase.modules == ALL
    if everything and not disabled:
        return None
    keys = (set(phase_module_keys(phase)) | set(enabled)) - set(disabled)
    known = set(modules.module_keys())
    return sorted(keys & known)


def overrides_for(*, phase: Phase | None, wanted: list[str]) -> tuple[list[str], list[str]]:
    """The smallest overrides that give exactly `wanted` on top of the phase's set:
    (enabled, disabled)."""
    base = set(phase_module_keys(phase))
    chosen = set(wanted)
    return sorted(chosen - base), sorted(base - chosen)
