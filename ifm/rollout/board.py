"""The rollout board: phases as columns (and one first for organizations in none), each
organization a card with its wave and onboarding progress. The page and `ifm rollout status`
show it."""

from __future__ import annotations

from dataclasses import dataclass, field

from ifm.rollout import selectors
from ifm.rollout.models import OrganizationRollout, Phase
from ifm.rollout.modulesets import describe_phase_modules
from ifm.rollout.onboarding import Checklist, checklist
from ifm.tenancy import modules
from ifm.tenancy.models import Organization


@dataclass
class Card:
    organization: Organization
    rollout: OrganizationRollout | None
    checklist: Checklist
    modules_enabled: int
    modules_total: int

    @property
    def overrides(self) -> int:
        if self.rollout is None:
            return 0
        return len(self.rollout.modules_enabled) + len(self.rollout.modules_disabled)


@dataclass
class Column:
    phase: Phase | None
    cards: list[Card] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.phase.name if self.phase else "Not in a phase"

    @property
    def slug(self) -> str:
        return self.phase.slug if self.phase else "none"

    @property
    def modules_label(self) -> str:
        return describe_phase_modules(self.phase.modules) if self.phase else "All modules"


def board(*, active_only: bool = True) -> list[Column]:
    unplaced = Column(phase=None)
    columns = {p.pk: Column(phase=p) for p in selectors.phase_list()}
    total = len(modules.module_keys())
    for org, rollout in selectors.organizations_with_rollout(active_only=active_only):
        card = Card(
            organization=org,
            rollout=rollout,
            checklist=checklist(org),
            modules_enabled=len(modules.enabled_module_keys(org)),
            modules_total=total,
        )
        if rollout is None or rollout.phase_id is None:
            unplaced.cards.append(card)
        else:
            columns[rollout.phase_id].cards.append(card)
    return [unplaced, *columns.values()]
