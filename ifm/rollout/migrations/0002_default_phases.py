"""The rollout plan's four phases (docs/rollout.md), as the default platform staff edit."""

from typing import Any

from django.db import migrations

from ifm.rollout.defaults import ensure_default_phases


def create(apps: Any, schema_editor: Any) -> None:
    ensure_default_phases(apps.get_model("rollout", "Phase"))


class Migration(migrations.Migration):
    dependencies = [("rollout", "0001_initial")]

    # Going back keeps the phases: staff may have edited them and placed organizations in them
    # (the rollback drill checks that no row written before changes); forward again adds none.
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
