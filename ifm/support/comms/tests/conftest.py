from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ifm.accounts.services import membership_set
from ifm.conftest import make_user
from ifm.rollout import services as rollout_services
from ifm.rollout.models import Phase
from ifm.tenancy.roles import Role


@pytest.fixture
def staff(org_b: Any) -> Any:
    """IFM platform staff, a member of Beta so that it has an API token there (the
    organization a platform token names plays no part)."""
    user = make_user("comms-staff@ifm.test", full_name="Sam Staff", is_platform_staff=True)
    membership_set(organization=org_b, user=user, role=Role.VIEWER)
    return user


@pytest.fixture
def pilot(staff: Any, cast: dict[str, Any], org_a: Any, org_b: Any) -> dict[str, Any]:
    """Alpha in the pilot with a wave and its dates; Beta in no phase."""
    phase = Phase.objects.get(slug="pilot")
    wave = rollout_services.wave_create(
        actor=staff,
        phase=phase,
        name="Pilot wave 1",
        kickoff_on=date(2026, 5, 4),
        training_on=date(2026, 5, 6),
        go_live_on=date(2026, 5, 11),
    )
    rollout_services.organization_move(organization=org_a, phase=phase, wave=wave, actor=staff)
    return {"phase": phase, "wave": wave}


@pytest.fixture
def sent_all(django_capture_on_commit_callbacks: Any, run_jobs: Any, mailoutbox: list[Any]) -> Any:
    """Run an action with its after-commit work, then the jobs it queued: the emails sent."""

    def run(action: Any) -> list[Any]:
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            action()
        run_jobs()
        return list(mailoutbox[before:])

    return run
