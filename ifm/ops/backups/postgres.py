"""PostgreSQL: pg_dump and pg_restore, a scratch database, and the manifest in the dump's snapshot.

The connection parameters go to the client programs in the environment (PGHOST, PGUSER,
PGPASSWORD, ...), never on the command line, where other users of the machine could read them.
The programs are taken from the installed client of the server's major version when there is
one (/usr/lib/postgresql/<major>/bin on Debian), else from PATH, and refused if older than the
server (an older pg_dump cannot dump a newer server).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
from psycopg import sql

from ifm.ops.backups.checksums import (
    TableSum,
    pg_migration_state,
    pg_prepare_session,
    pg_table_sums,
)

# libpq connection options that Django's OPTIONS may carry, and their environment variables.
LIBPQ_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
}


class PostgresError(Exception):
    """A client program or a query failed; the message says which and why."""


@dataclass(frozen=True)
class PgParams:
    dbname: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""
    options: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings_dict: dict[str, Any]) -> PgParams:
        options = settings_dict.get("OPTIONS") or {}
        return cls(
            dbname=str(settings_dict["NAME"]),
            host=str(settings_dict.get("HOST") or ""),
            port=str(settings_dict.get("PORT") or ""),
            user=str(settings_dict.get("USER") or ""),
            password=str(settings_dict.get("PASSWORD") or ""),
            options={k: str(v) for k, v in options.items() if k in LIBPQ_ENV},
        )

    @classmethod
    def from_url(cls, url: str) -> PgParams:
        return cls.from_settings(dict(dj_database_url.parse(url)))

    def other_database(self, dbname: str) -> PgParams:
        return replace(self, dbname=dbname)

    def connect(self, **kwargs: Any) -> psycopg.Connection[Any]:
        params: dict[str, Any] = {
            "dbname": self.dbname,
            "host": self.host or None,
            "port": self.port or None,
            "user": self.user or None,
            "password": self.password or None,
            **self.options,
        }
        try:
            return psycopg.connect(**{k: v for k, v in params.items() if v}, **kwargs)
        except psycopg.Error as exc:
            raise PostgresError(f"Cannot connect to database {self.dbname!r}: {exc}") from exc

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("PG") or k in {"PGSERVICEFILE", "PGPASSFILE"}
        }
        values = {
            "PGDATABASE": self.dbname,
            "PGHOST": self.host,
            "PGPORT": self.port,
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            # The owner role is subject to row-level security too: dump every organization.
            "PGOPTIONS": "-c ifm.all_orgs=on",
        }
        values.update({LIBPQ_ENV[k]: v for k, v in self.options.items()})
        env.update({k: v for k, v in values.items() if v})
        return env

    def target(self) -> str:
        """The --dbname of pg_restore, quoted so that a name with `=` stays a name."""
        return psycopg.conninfo.make_conninfo(dbname=self.dbname)


def server_major(conn: psycopg.Connection[Any]) -> int:
    return conn.info.server_version // 10000


def client_program(name: str, major: int) -> str:
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin/{name}")]
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    for path in candidates:
        if not path.exists():
            continue
        out = subprocess.run(  # noqa: S603  (a fixed program, no shell)
            [str(path), "--version"], capture_output=True, text=True, check=False
        ).stdout
        found = re.search(r"(\d+)(?:\.\d+)?", out)
        if found and int(found.group(1)) >= major:
            return str(path)
    raise PostgresError(
        f"No {name} of version {major} or newer is installed (the server is PostgreSQL {major}): "
        f"install the Debian package postgresql-client-{major}."
    )


def _run(args: list[str], params: PgParams, what: str) -> None:
    done = subprocess.run(  # noqa: S603  (program chosen by client_program, no shell)
        args, env=params.env(), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise PostgresError(f"{what} failed: " + " / ".join(detail[-5:]))


@dataclass
class PgDump:
    tables: list[TableSum]
    migrations: dict[str, str]
    server_version: str


def dump(params: PgParams, out: Path) -> PgDump:
    """pg_dump (custom format) and the table sums, both read from one snapshot."""
    with params.connect(autocommit=False) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        row = conn.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, version = row.fetchone() or ("", "")
        pg_dump = client_program("pg_dump", server_major(conn))
        # pg_dump imports the snapshot while this transaction holds it open; the sums are
        # taken meanwhile, so both see exactly the same rows.
        process = subprocess.Popen(  # noqa: S603  (program chosen by client_program, no shell)
            [
                pg_dump,
                "--format=custom",
                "--no-password",
                "--enable-row-security",
                f"--snapshot={snapshot}",
                f"--file={out}",
            ],
            env=params.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            pg_prepare_session(conn)
            tables = pg_table_sums(conn)
            migrations = pg_migration_state(conn)
        finally:
            _, stderr = process.communicate()
        conn.rollback()
    if process.returncode != 0:
        lines = stderr.strip().splitlines()
        raise PostgresError("pg_dump failed: " + " / ".join(lines[-5:]))
    return PgDump(tables=tables, migrations=migrations, server_version=version)


def restore(params: PgParams, dump_file: Path, *, single_transaction: bool = False) -> None:
    with params.connect(autocommit=True) as conn:
        pg_restore = client_program("pg_restore", server_major(conn))
    args = [
        pg_restore,
        "--no-password",
        "--no-owner",
        "--no-acl",
        "--exit-on-error",
        f"--dbname={params.target()}",
    ]
    if single_transaction:
        args.append("--single-transaction")
    # `ifm migrate` afterwards grants the app role its rows again (--no-acl leaves them out, as
    # the roles of the backed-up server need not exist here).
    _run([*args, str(dump_file)], params, "pg_restore")


def check_archive(params: PgParams, dump_file: Path) -> None:
    """pg_restore --list reads the archive's table of contents: a damaged file fails here."""
    with params.connect(autocommit=True) as conn:
        pg_restore = client_program("pg_restore", server_major(conn))
    _run([pg_restore, "--list", str(dump_file)], params, "Reading the dump")


def table_sums(params: PgParams) -> tuple[list[TableSum], dict[str, str]]:
    with params.connect(autocommit=False) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        pg_prepare_session(conn)
        result = pg_table_sums(conn), pg_migration_state(conn)
        conn.rollback()
    return result


def is_empty(params: PgParams) -> bool:
    with params.connect(autocommit=True) as conn:
        row = conn.execute(
            """
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg\\_%%'
            """
        ).fetchone()
    return not row or row[0] == 0


def clear(params: PgParams) -> None:
    """Drop every schema a restore creates (public, and the app's own such as ifm_search), for
    `restore --into ... --force` and a borrowed check database; public is made again empty."""
    with params.connect(autocommit=True) as conn:
        schemas = conn.execute(
            """
            SELECT nspname FROM pg_namespace
            WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public')
              AND nspname NOT LIKE 'pg\\_%%'
            """
        ).fetchall()
        for (schema,) in schemas:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def same_database(a: PgParams, b: PgParams) -> bool:
    def where(p: PgParams) -> tuple[str, str, str]:
        return (p.host or "localhost", p.port or "5432", p.dbname)

    return where(a) == where(b)


@contextmanager
def borrowed_database(params: PgParams) -> Iterator[PgParams]:
    """A database set aside for restore checks (where the role may not create databases, as on
    managed services): emptied before and after."""
    clear(params)
    try:
        yield params
    finally:
        clear(params)


@contextmanager
def scratch_database(params: PgParams) -> Iterator[PgParams]:
    """A new empty database beside `params`' one, dropped afterwards whatever happens."""
    name = f"{params.dbname[:40]}_verify_{secrets.token_hex(4)}"
    maintenance = params.other_database("postgres")
    with maintenance.connect(autocommit=True) as conn:
        try:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name))
            )
        except psycopg.Error as exc:
            raise PostgresError(
                f"Cannot create the scratch database {name!r} (the role needs CREATEDB): {exc}"
            ) from exc
    try:
        yield params.other_database(name)
    finally:
        with maintenance.connect(autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
