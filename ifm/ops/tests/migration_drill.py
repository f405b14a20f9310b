"""Migration drills, run in a child process against a database of their own (DATABASE_URL):

    python -m ifm.ops.tests.migration_drill migrate     # every migration, forwards
    python -m ifm.ops.tests.migration_drill rollback    # each app's latest back, and forward
    python -m ifm.ops.tests.migration_drill zero        # every app of ours to zero and forward

Each prints one JSON line last, read by test_migrations_deploy.py. A child process, because
migrating back and forth must not touch the test database other tests share.
"""

from __future__ import annotations

import faulthandler
import io
import json
import sys
import time
from typing import Any

import django


def _ours() -> list[str]:
    from django.apps import apps

    return sorted(c.label for c in apps.get_app_configs() if c.name.startswith("ifm."))


def _leaves() -> dict[str, tuple[str, str | None]]:
    """Each app of ours: its latest migration and the one before it (None: the first)."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    graph = loader.graph
    found: dict[str, tuple[str, str | None]] = {}
    for app, name in graph.leaf_nodes():
        # A latest migration that another app's migrations depend on (tenancy's app role)
        # belongs to no single release: undoing it would undo its dependents too.
        # An app's first migration is not a release's change: undoing it drops the app.
        if app not in _ours() or graph.node_map[(app, name)].children:
            continue
        parents = [p for p in graph.node_map[(app, name)].parents if p.key[0] == app]
        if parents:
            found[app] = (name, parents[0].key[1])
    return found


def _migrate(*args: str) -> None:
    from django.core.management import call_command

    call_command("migrate", *args, interactive=False, verbosity=0, stdout=io.StringIO())


def cmd_migrate() -> dict[str, Any]:
    start = time.monotonic()
    _migrate()
    return {"seconds": round(time.monotonic() - start, 1)}


def _migrate_back(targets: list[tuple[str, str | None]]) -> None:
    """One plan for all targets (`None`: zero), as the owner: the states of the migration
    graph are rendered once, not once per app."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from ifm.tenancy.db import owner_role

    with owner_role():
        executor = MigrationExecutor(connection)
        executor.migrate(targets)


def cmd_zero() -> dict[str, Any]:
    """Every app of ours to zero (dependents first, as Django orders it), then forward: every
    reverse operation of the history runs once."""
    start = time.monotonic()
    _migrate_back([(app, None) for app in _ours()])
    back = time.monotonic() - start
    _migrate()
    return {"back_seconds": round(back, 1), "total_seconds": round(time.monotonic() - start, 1)}


def _snapshot() -> dict[str, dict[str, Any]]:
    """Every table: its columns, its row count and a checksum of each column's values."""
    from django.db import connection

    from ifm.tenancy.db import owner_role

    tables: dict[str, dict[str, Any]] = {}
    with owner_role(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
        )
        columns: dict[str, list[str]] = {}
        for table, column in cursor.fetchall():
            columns.setdefault(table, []).append(column)
        qn = connection.ops.quote_name
        for table, cols in columns.items():
            sums = ", ".join(
                f"md5(coalesce(string_agg(coalesce({qn(c)}::text, '∅'), '|' "
                f"ORDER BY {qn(c)}::text), ''))"
                for c in cols
            )
            cursor.execute(f"SELECT count(*), {sums} FROM {qn(table)}")  # noqa: S608
            row = cursor.fetchone()
            tables[table] = {"rows": row[0], "columns": dict(zip(cols, row[1:], strict=True))}
    return tables


def _compare(
    before: dict[str, Any], after: dict[str, Any], lost: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What differs; `lost` (an earlier comparison's) names tables and columns known gone."""
    gone_tables = {t.split(" ")[0] for t in (lost or {}).get("lost_tables", [])}
    gone_columns = set((lost or {}).get("lost_columns", []))
    changed, lost_tables, lost_columns = [], [], []
    for table, was in before.items():
        if table in gone_tables or table == "django_migrations":  # the bookkeeping itself
            continue
        now = after.get(table)
        if now is None:
            if was["rows"]:
                lost_tables.append(f"{table} ({was['rows']} rows)")
            continue
        if now["rows"] != was["rows"]:
            changed.append(f"{table}: {was['rows']} rows, then {now['rows']}")
            continue
        for column, checksum in was["columns"].items():
            if f"{table}.{column}" in gone_columns:
                continue
            if column not in now["columns"]:
                if was["rows"]:
                    lost_columns.append(f"{table}.{column}")
            elif now["columns"][column] != checksum:
                changed.append(f"{table}.{column}")
    return {"changed": changed, "lost_tables": lost_tables, "lost_columns": lost_columns}


def _write_data() -> int:
    from ifm.orgs.services import organization_create
    from ifm.tenancy.tests.tenant_factories import FACTORIES

    written = 0
    for slug, ein in (("drill-a", "12-3456789"), ("drill-b", "98-7654321")):
        org = organization_create(slug=slug, name=f"Drill {slug}", ein=ein)
        for make in FACTORIES.values():
            make(org)
            written += 1
    return written


def cmd_rollback() -> dict[str, Any]:
    """On a migrated database: write data, roll back the latest release's migrations (each
    app's latest), check that every row written before is still there, then forward again."""
    written = _write_data()
    before = _snapshot()
    leaves = _leaves()
    start = time.monotonic()
    _migrate_back([(app, previous) for app, (_latest, previous) in sorted(leaves.items())])
    back_seconds = time.monotonic() - start
    rolled_back = _snapshot()
    start = time.monotonic()
    _migrate()
    forward_seconds = time.monotonic() - start
    forward_again = _snapshot()
    after_rollback = _compare(before, rolled_back)
    return {
        "objects_written": written,
        "rows_before": sum(t["rows"] for t in before.values()),
        "rolled_back": {app: latest for app, (latest, _) in leaves.items()},
        "back_seconds": round(back_seconds, 1),
        "forward_seconds": round(forward_seconds, 1),
        "after_rollback": after_rollback,
        "after_forward_again": _compare(before, forward_again, after_rollback),
    }


COMMANDS = {
    "migrate": cmd_migrate,
    "zero": cmd_zero,
    "rollback": cmd_rollback,
}

if __name__ == "__main__":
    # A drill stuck on a lock shows where, before the parent's timeout kills it.
    faulthandler.dump_traceback_later(float(sys.argv[2]) if len(sys.argv) > 2 else 1500)
    django.setup()
    result = COMMANDS[sys.argv[1]]()
    sys.stdout.write("\n" + json.dumps(result) + "\n")
