"""A flushed database holds the defaults a migrated one does: the rollout plan's phases and the
default message templates. Transactional tests flush after each test, and the tests after them
(in any order, on any worker) find the phases the migration made."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from ifm.rollout.defaults import PHASES
from ifm.rollout.models import Phase
from ifm.support.comms.defaults import TEMPLATES
from ifm.support.comms.models import MessageTemplate


@pytest.mark.django_db(transaction=True)
def test_flush_makes_the_default_phases_and_templates_again(transactional_db: Any) -> None:
    Phase.objects.filter(slug="pilot").update(name="Pilot, as staff renamed it")
    call_command("flush", verbosity=0, interactive=False)
    assert set(Phase.objects.values_list("slug", flat=True)) == {str(p["slug"]) for p in PHASES}
    assert Phase.objects.get(slug="pilot").name == "Pilot"
    keys = set(MessageTemplate.objects.values_list("key", flat=True))
    assert keys == {str(t["key"]) for t in TEMPLATES}


@pytest.mark.django_db(transaction=True)
def test_migrate_leaves_a_phase_staff_deleted_deleted(transactional_db: Any) -> None:
    """Only a flush brings the defaults back: a deploy's migrate keeps staff's changes."""
    Phase.objects.filter(slug="internal-testing").delete()
    call_command("migrate", verbosity=0, interactive=False)
    assert not Phase.objects.filter(slug="internal-testing").exists()
