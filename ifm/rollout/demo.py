"""Demo data of the rollout: the demo organizations in different phases, in a wave each, with
the training signed off where they are past the pilot (the step `ifm seed_demo` runs last).

Grace Chapel is in the pilot with core features only, so the console shows a restricted
organization; the others are in the limited release and full production with every module.
"""

from __future__ import annotations

from datetime import timedelta

from ifm.orgs.demo import DemoContext
from ifm.rollout import selectors, services
from ifm.rollout.defaults import ensure_default_phases
from ifm.rollout.models import SignOffItem

# Slug of a demo organization -> (phase slug, wave name, weeks since its kickoff).
PLACES = {
    "grace-chapel": ("pilot", "Pilot wave 1", 1),
    "river-youth": ("limited-release", "Limited wave 1", 4),
    "hope-kitchen": ("full-production", "Production wave 1", 8),
}
DEFAULT_PLACE = ("limited-release", "Limited wave 1", 4)


def seed(ctx: DemoContext) -> str:
    org = ctx.organization
    phase_slug, wave_name, weeks = PLACES.get(org.slug, DEFAULT_PLACE)
    ensure_default_phases()  # a database emptied since its migrations (not an edited one)
    phase = selectors.phase_get(phase_slug)
    if phase is None:  # the phases were edited away: nothing to place the organization in
        return "no such phase: " + phase_slug
    wave = selectors.wave_get(phase=phase, name=wave_name)
    if wave is None:
        kickoff = ctx.today - timedelta(weeks=weeks)
        wave = services.wave_create(
            actor=None,
            phase=phase,
            name=wave_name,
            kickoff_on=kickoff,
            training_on=kickoff + timedelta(days=2),
            go_live_on=kickoff + timedelta(days=7),
        )
    services.organization_move(organization=org, phase=phase, wave=wave, actor=None)
    if phase.order > 2:
        services.onboarding_sign_off(
            organization=org, item=SignOffItem.TRAINING, actor=None, note="Demo training session"
        )
    return f"{phase.name}, {wave.name}"
