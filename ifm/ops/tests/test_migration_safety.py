"""The deploy check of new migrations (ifm.ops.migration_safety, `ifm check_migrations`):
today's migrations pass, and each unsafe operation is caught."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import migrations, models
from django.db.migrations.state import ModelState, ProjectState

from ifm.ops import migration_safety


def _migration(*operations: Any, **attrs: Any) -> migrations.Migration:
    migration_class = type(
        "Migration", (migrations.Migration,), {"operations": list(operations), **attrs}
    )
    return migration_class("0099_new", "donors")


def _problems(*operations: Any, state: ProjectState | None = None, **attrs: Any) -> list[str]:
    return [
        f.problem for f in migration_safety.check_migration(_migration(*operations, **attrs), state)
    ]


def test_the_migrations_not_yet_shipped_are_safe_to_deploy() -> None:
    assert [str(f) for f in migration_safety.check_all()] == []
    call_command("check_migrations", stdout=_Null(), stderr=_Null())


def test_the_shipped_list_names_real_migrations() -> None:
    assert migration_safety.shipped() <= set(migration_safety.current_migrations())
    assert "ledger.0001_initial" in migration_safety.shipped()


def test_the_history_would_not_pass_unshipped() -> None:
    """The check is not vacuous: shipped migrations hold operations it flags."""
    findings = migration_safety.check_all(skip={"-"})
    assert any(f.migration == "donors.0012_batch_defaults_campaign_goals" for f in findings)


def test_a_not_null_column_needs_a_database_default() -> None:
    flagged = _problems(
        migrations.AddField("donor", "tier", models.CharField(max_length=10, default="a"))
    )
    assert len(flagged) == 1
    assert "db_default" in flagged[0]
    assert (
        _problems(
            migrations.AddField("donor", "tier", models.CharField(max_length=10, db_default="a"))
        )
        == []
    )
    assert _problems(migrations.AddField("donor", "tier", models.TextField(null=True))) == []


def test_a_column_of_a_new_table_is_fine() -> None:
    assert (
        _problems(
            migrations.CreateModel("Thing", [("id", models.BigAutoField(primary_key=True))]),
            migrations.AddField("thing", "name", models.TextField()),
            migrations.AddIndex("thing", models.Index(fields=["name"], name="thing_name")),
        )
        == []
    )


@pytest.mark.parametrize(
    "operation",
    [
        migrations.RenameField("donor", "name", "full_name"),
        migrations.RenameModel("Donor", "Person"),
        migrations.RemoveField("donor", "name"),
        migrations.DeleteModel("Donor"),
        migrations.AddIndex("donor", models.Index(fields=["name"], name="donor_name")),
    ],
    ids=lambda op: type(op).__name__,
)
def test_renames_drops_and_blocking_indexes_are_flagged(operation: Any) -> None:
    assert len(_problems(operation)) == 1


def test_a_drop_marked_safe_after_the_code_stopped_using_it_passes() -> None:
    assert (
        _problems(
            migrations.RemoveField("donor", "name"),
            deploy_safe="release 2026.12 stopped reading donor.name",
        )
        == []
    )


def test_a_type_change_is_flagged() -> None:
    state = ProjectState()
    state.add_model(
        ModelState(
            "donors",
            "donor",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("code", models.CharField(max_length=20)),
                ("note", models.TextField(null=True)),
            ],
        )
    )
    widened = migrations.AlterField("donor", "code", models.CharField(max_length=40))
    narrowed = migrations.AlterField("donor", "code", models.CharField(max_length=10))
    to_int = migrations.AlterField("donor", "code", models.IntegerField())
    not_null = migrations.AlterField("donor", "note", models.TextField())
    same = migrations.AlterField("donor", "code", models.CharField(max_length=20, blank=True))
    assert _problems(widened, state=state) == []
    assert len(_problems(narrowed, state=state)) == 1
    assert "type change" in _problems(to_int, state=state)[0]
    assert "NOT NULL" in _problems(not_null, state=state)[0]
    assert _problems(same, state=state) == []


class _Null:
    def write(self, text: str) -> None:
        pass
