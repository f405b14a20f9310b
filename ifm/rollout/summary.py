"""An organization's rollout as the console shows it (page, API, command): its phase and wave
with their dates, each module with where its state comes from, the onboarding checklist, and
(on the page) the rollout plan's metrics over the last 30 days beside the phase's targets
(ifm.rollout.metrics reads them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from ifm.rollout import selectors
from ifm.rollout.charts import metric_charts
from ifm.rollout.metrics import rollout_metrics_for
from ifm.rollout.models import OrganizationRollout, Phase, Wave
from ifm.rollout.modulesets import describe_phase_modules, phase_module_keys
from ifm.rollout.onboarding import Checklist, checklist
from ifm.rollout.targets import figures, targets_for
from ifm.support.bugs import bug_counts
from ifm.tenancy import modules
from ifm.tenancy.models import Organization

METRICS_DAYS = 30


@dataclass
class ModuleRow:
    key: str
    name: str
    core: bool
    in_phase: bool
    override: str  # "" (as the phase), "enabled" or "disabled"
    enabled: bool  # now, on the organization's row


@dataclass
class RolloutSummary:
    organization: Organization
    rollout: OrganizationRollout | None
    phase_keys: list[str]
    modules: list[ModuleRow]
    checklist: Checklist
    dates: dict[str, date | None] = field(default_factory=dict)

    @property
    def phase(self) -> Phase | None:
        return self.rollout.phase if self.rollout else None

    @property
    def wave(self) -> Wave | None:
        return self.rollout.wave if self.rollout else None

    @property
    def phase_modules_label(self) -> str:
        return describe_phase_modules(self.phase.modules) if self.phase else "All modules"

    @property
    def overridden(self) -> list[ModuleRow]:
        return [m for m in self.modules if m.override]


def module_rows(organization: Organization, rollout: OrganizationRollout | None) -> list[ModuleRow]:
    phase_keys = set(phase_module_keys(rollout.phase if rollout else None))
    enabled_overrides = set(rollout.modules_enabled) if rollout else set()
    disabled_overrides = set(rollout.modules_disabled) if rollout else set()
    enabled_now = modules.enabled_module_keys(organization)
    return [
        ModuleRow(
            key=m.key,
            name=m.name,
            core=m.core,
            in_phase=m.key in phase_keys,
            override="enabled"
            if m.key in enabled_overrides
            else "disabled"
            if m.key in disabled_overrides
            else "",
            enabled=m.key in enabled_now,
        )
        for m in modules.all_modules()
    ]


def rollout_summary(organization: Organization) -> RolloutSummary:
    rollout = selectors.rollout_get(organization)
    return RolloutSummary(
        organization=organization,
        rollout=rollout,
        phase_keys=phase_module_keys(rollout.phase if rollout else None),
        modules=module_rows(organization, rollout),
        checklist=checklist(organization),
        dates={
            name: rollout.date(name) if rollout else None
            for name in ("kickoff_on", "training_on", "go_live_on")
        },
    )


def rollout_metrics(
    organization: Organization, phase: Phase | None, *, days: int = METRICS_DAYS
) -> dict[str, Any]:
    """The organization's figures over the last `days` days, each beside its target for the
    organization's phase, and the same day by day as charts."""
    end = timezone.localdate()
    start = end - timedelta(days=days - 1)
    data = rollout_metrics_for(organization=organization, start=start, end=end, daily=True)
    row = data["organizations"][0] if data["organizations"] else None
    targets = targets_for(phase)
    return {
        "start": start,
        "end": end,
        "usage": row,
        "support": row["support"] if row else None,
        "bugs": bug_counts(organization=organization),
        "figures": figures(row, targets) if row else [],
        "charts": metric_charts(data["daily"], targets, key="org") if row else [],
    }
