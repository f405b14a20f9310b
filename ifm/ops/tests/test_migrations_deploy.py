"""Migrations on a managed PostgreSQL, run as the deploy runs them: as a database owner that is
neither superuser nor allowed to create roles or databases, with the app role created
beforehand as docs/deploy.md says. Then, on that database, the rollback drill: every app's
latest migration back and forward again with data in every tenant table, which must not change;
and every app of ours back to zero and forward (about two and a half minutes; every reverse
operation of the history runs once; IFM_MIGRATIONS_TO_ZERO=0 leaves it out of a quick run).

A database and two roles of its own (named after the test database, with a random suffix),
dropped at the end; the migrations run in a child process (ifm.ops.tests.migration_drill).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="roles and row-level security are PostgreSQL's"
)

# Migrations that cannot be undone, each with the reason (none today).
IRREVERSIBLE: dict[str, str] = {}


@dataclass
class OwnedDatabase:
    name: str
    owner: str
    app_role: str
    url: str

    def run(self, command: str, timeout: int = 1800) -> dict[str, Any]:
        env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "DB_APP_ROLE": self.app_role,
            "DJANGO_SETTINGS_MODULE": "ifm.settings",
            "LOG_LEVEL": "WARNING",
        }
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "ifm.ops.tests.migration_drill", command, str(timeout - 30)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-4000:]
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _admin_connection() -> psycopg.Connection[Any]:
    params = connection.get_connection_params()
    keep = {"host", "port", "user", "password", "sslmode"}
    return psycopg.connect(
        dbname="postgres", autocommit=True, **{k: v for k, v in params.items() if k in keep}
    )


@pytest.fixture(scope="module")
def owned_database(django_db_blocker: Any) -> Iterator[OwnedDatabase]:
    base = str(connection.settings_dict["NAME"]).removeprefix("test_")[:30]
    suffix = secrets.token_hex(4)
    name, owner, app_role = f"{base}_own_{suffix}", f"{base}_owner_{suffix}", f"{base}_app_{suffix}"
    params = connection.get_connection_params()
    host, port = params.get("host") or "127.0.0.1", params.get("port") or 5432
    with django_db_blocker.unblock(), _admin_connection() as admin:
        # As docs/deploy.md: an owner that may log in and nothing more, the app role made for it.
        admin.execute(f'CREATE ROLE "{owner}" LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB')
        admin.execute(f'CREATE ROLE "{app_role}" NOLOGIN NOSUPERUSER NOBYPASSRLS')
        admin.execute(f'GRANT "{app_role}" TO "{owner}"')
        admin.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')
    try:
        yield OwnedDatabase(name, owner, app_role, f"postgres://{owner}@{host}:{port}/{name}")
    finally:
        with django_db_blocker.unblock(), _admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'DROP ROLE IF EXISTS "{app_role}"')
            admin.execute(f'DROP ROLE IF EXISTS "{owner}"')


@pytest.fixture(scope="module")
def migrated(owned_database: OwnedDatabase) -> OwnedDatabase:
    owned_database.run("migrate")
    return owned_database


def test_every_migration_runs_as_an_owner_that_is_not_superuser(
    migrated: OwnedDatabase, django_db_blocker: Any
) -> None:
    with django_db_blocker.unblock(), _admin_connection() as admin:
        row = admin.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles "
            "WHERE rolname = %s",
            [migrated.owner],
        ).fetchone()
        assert row == (False, False, False, False)
    with (
        django_db_blocker.unblock(),
        psycopg.connect(migrated.url.replace("postgres://", "postgresql://")) as conn,
    ):
        # Every table is the owner's; row-level security is on where it should be.
        owners = conn.execute(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        assert owners == [(migrated.owner,)]
        forced = conn.execute(
            "SELECT count(*) FROM pg_class WHERE relforcerowsecurity AND relkind = 'r'"
        ).fetchone()
        assert forced is not None
        assert forced[0] > 20
        # The app role reads and writes rows, and sees none of an organization it is not in.
        conn.execute(f'SET ROLE "{migrated.app_role}"')
        assert conn.execute("SELECT count(*) FROM tenancy_organization").fetchone() == (0,)


@pytest.mark.skipif(
    os.environ.get("IFM_MIGRATIONS_TO_ZERO") == "0",
    reason="IFM_MIGRATIONS_TO_ZERO=0: the back-to-zero run is left out of this run",
)
def test_every_app_goes_back_to_zero_and_forward_again(migrated: OwnedDatabase) -> None:
    result = migrated.run("zero", timeout=3600)
    assert result["total_seconds"] > 0


def test_rollback_drill_keeps_the_data_written_before(migrated: OwnedDatabase) -> None:
    """Each app's latest migration back (one release's migrations) and forward again: each
    reverse runs, and no row written before changes."""
    result = migrated.run("rollback")
    # ledger's and tenancy's latest are depended on by other apps' migrations.
    assert {"donors", "ops", "banking", "expenses"} <= set(result["rolled_back"])
    assert not set(IRREVERSIBLE) & {f"{a}.{m}" for a, m in result["rolled_back"].items()}
    assert result["objects_written"] >= 40
    assert result["rows_before"] > 100
    # Rolling back each app's latest migration changed no row written before it, and neither
    # did applying them again. What the rolled-back migrations themselves added (their tables
    # and columns) goes with them: listed, and the test knows which.
    assert result["after_rollback"]["changed"] == [], result
    assert result["after_forward_again"]["changed"] == []
    print(json.dumps(result, indent=1))  # noqa: T201
