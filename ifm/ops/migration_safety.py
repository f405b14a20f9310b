"""Migrations that a zero-downtime deploy cannot take (docs/ops/migrations.md).

During a deploy the release step migrates while the previous release still serves, and a
rollback runs the previous release on the new schema. So a new migration must not:

* add a NOT NULL column without a database default (the old code's INSERTs fail; Django's
  `default` is Python-side only),
* rename a column or a table (the old code asks for the old name),
* drop a column or a table (the old code still reads it) unless the previous release already
  stopped using it: mark that migration `deploy_safe = "<why>"` once it has shipped,
* change a column's type or make it NOT NULL (a rewrite or a full scan under an exclusive lock,
  and old code may write what the new type refuses),
* build an index on an existing table without CONCURRENTLY (writes wait until it is built).

Migrations already shipped are listed in `shipped_migrations.txt` and not checked again;
`ifm check_migrations --mark-shipped` adds the current ones at release time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState

SHIPPED_FILE = Path(__file__).resolve().parent / "shipped_migrations.txt"


@dataclass(frozen=True)
class Finding:
    migration: str
    operation: str
    problem: str

    def __str__(self) -> str:
        return f"{self.migration}: {self.operation}: {self.problem}"


def shipped() -> set[str]:
    if not SHIPPED_FILE.exists():
        return set()
    return {
        line.strip()
        for line in SHIPPED_FILE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }


def _created_here(migration: migrations.Migration) -> set[str]:
    return {op.name_lower for op in migration.operations if isinstance(op, migrations.CreateModel)}


def _needs_db_default(field: models.Field) -> bool:
    if field.many_to_many or field.null:
        return False
    return getattr(field, "db_default", models.NOT_PROVIDED) is models.NOT_PROVIDED


def _type_changes(old: models.Field, new: models.Field) -> bool:
    """Another type, fewer characters, or other digits. A longer varchar is only a catalog
    change on PostgreSQL, and the old code's values still fit: not a change here."""
    if old.get_internal_type() != new.get_internal_type():
        return True
    old_length, new_length = getattr(old, "max_length", None), getattr(new, "max_length", None)
    if old_length != new_length and (new_length is not None and (old_length or 0) > new_length):
        return True
    return (getattr(old, "max_digits", None), getattr(old, "decimal_places", None)) != (
        getattr(new, "max_digits", None),
        getattr(new, "decimal_places", None),
    )


def _altered_problem(op: migrations.AlterField, app: str, state: ProjectState) -> str | None:
    try:
        old = state.models[app, op.model_name_lower].get_field(op.name)
    except (KeyError, LookupError):
        return None
    if _type_changes(old, op.field):
        return "type change: rewrites the table under an exclusive lock"
    if old.null and not op.field.null:
        return "NOT NULL on an existing column: a full scan under an exclusive lock"
    return None


def _problem(
    op: Any, app: str, new_tables: set[str], state_before: ProjectState | None
) -> str | None:
    model = getattr(op, "model_name_lower", None) or getattr(op, "name_lower", None)
    if isinstance(op, migrations.AddField):
        if model not in new_tables and _needs_db_default(op.field):
            return "NOT NULL column without db_default: the running code's INSERTs fail"
    elif isinstance(op, migrations.RenameField | migrations.RenameModel):
        return "rename: the running code still uses the old name; add, copy, then drop"
    elif isinstance(op, migrations.RemoveField | migrations.DeleteModel):
        return (
            "drop: the running code may still use it; drop one release after the code stops "
            "using it, and mark that migration deploy_safe"
        )
    elif isinstance(op, migrations.AlterField):
        return _altered_problem(op, app, state_before) if state_before is not None else None
    elif isinstance(op, migrations.AddIndex | migrations.AddConstraint):
        builds_index = isinstance(op, migrations.AddIndex) or getattr(
            getattr(op, "constraint", None), "fields", None
        )
        if builds_index and model not in new_tables and type(op).__name__ != "AddIndexConcurrently":
            return "index built without CONCURRENTLY: writes to the table wait"
    return None


def check_migration(
    migration: migrations.Migration, state_before: ProjectState | None = None
) -> list[Finding]:
    """The problems of one migration; `state_before` (the project state it applies to) lets
    AlterField be compared with the field it changes."""
    if getattr(migration, "deploy_safe", ""):
        return []
    label = f"{migration.app_label}.{migration.name}"
    new_tables = _created_here(migration)
    found = []
    for op in migration.operations:
        problem = _problem(op, migration.app_label, new_tables, state_before)
        if problem is not None:
            found.append(Finding(label, op.describe(), problem))
    return found


def check_all(loader: MigrationLoader | None = None, *, skip: Iterable[str] = ()) -> list[Finding]:
    """Every migration of an `ifm.*` app not in `skip` (by default the shipped ones)."""
    loader = loader or MigrationLoader(None, ignore_no_migrations=True)
    skip = set(skip) if skip else shipped()
    findings: list[Finding] = []
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        if not type(migration).__module__.startswith("ifm.") or f"{app}.{name}" in skip:
            continue
        needs_state = any(isinstance(op, migrations.AlterField) for op in migration.operations)
        state = loader.project_state((app, name), at_end=False) if needs_state else None
        findings.extend(check_migration(migration, state))
    return findings


def current_migrations(loader: MigrationLoader | None = None) -> list[str]:
    loader = loader or MigrationLoader(None, ignore_no_migrations=True)
    return sorted(
        f"{app}.{name}"
        for (app, name), migration in loader.disk_migrations.items()
        if type(migration).__module__.startswith("ifm.")
    )
