"""Schemas of the rollout API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class PhaseOut(Schema):
    slug: str
    name: str
    order: int
    description: str
    planned_start: dt.date | None
    planned_end: dt.date | None
    modules: Any = Field(..., description='"all", "core" or a list of module keys.')
    module_keys: list[str] = Field(..., description="The module keys the phase enables today.")
    target_organizations: int | None
    success_criteria: list[str] = Field(..., description="One criterion an item.")
    organizations: int = Field(..., description="How many organizations are in it now.")


class ModuleOut(Schema):
    key: str
    name: str
    core: bool
    in_phase: bool = Field(..., description="The organization's phase enables it.")
    override: str = Field(..., description='"" (as the phase), "enabled" or "disabled".')
    enabled: bool = Field(..., description="Enabled for the organization now.")


class ChecklistItemOut(Schema):
    key: str
    label: str
    done: bool
    detail: str
    manual: bool = Field(..., description="Signed off by a person rather than found in data.")
    done_at: dt.datetime | None = None
    done_by: str | None = None


class ChecklistOut(Schema):
    done: int
    total: int
    items: list[ChecklistItemOut]


class WaveOut(Schema):
    name: str
    kickoff_on: dt.date | None
    training_on: dt.date | None
    go_live_on: dt.date | None


class RolloutOut(Schema):
    organization: str = Field(..., description="The organization's slug.")
    name: str
    phase: str | None = Field(..., description="The phase's slug; null: in no phase.")
    wave: WaveOut | None
    kickoff_on: dt.date | None = Field(..., description="The organization's, else its wave's.")
    training_on: dt.date | None
    go_live_on: dt.date | None
    modules: list[ModuleOut]
    onboarding: ChecklistOut


class ModulesIn(Schema):
    modules: list[str] = Field(
        ..., max_length=100, description="Exactly the module keys to enable (e.g. donors)."
    )


class SignOffIn(Schema):
    item: str = Field(..., max_length=32, description="training or data_migration")
    done: bool = True
    note: str = Field("", max_length=500)
