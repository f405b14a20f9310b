"""Row counts and checksums of every table, the same way on the live and the restored database.

Each table's rows are read ordered by the primary key (every column where there is none), each
row turned into one canonical line of text, and the lines hashed with SHA-256. The text form
depends only on the data: PostgreSQL's own row output under fixed session settings (UTC, ISO
dates, shortest exact floats, hex bytea); on SQLite a JSON array per row. Tables are found in
the database's catalogue, not from the models, so a table the code no longer knows is counted
too.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from psycopg import sql

# Fixed so that the same data prints the same text in any session.
PG_SESSION_SETTINGS = {
    "TimeZone": "UTC",
    "DateStyle": "ISO, YMD",
    "IntervalStyle": "postgres",
    "extra_float_digits": "1",
    "bytea_output": "hex",
    # The owner role is subject to row-level security too (FORCE): read every organization.
    "ifm.all_orgs": "on",
}


@dataclass(frozen=True)
class TableSum:
    name: str
    rows: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "rows": self.rows, "sha256": self.sha256}


def pg_prepare_session(conn: Any) -> None:
    """Settings for the current transaction (call inside it)."""
    for name, value in PG_SESSION_SETTINGS.items():
        conn.execute("SELECT set_config(%s, %s, true)", (name, value))


def pg_table_sums(conn: Any) -> list[TableSum]:
    tables = conn.execute(
        """
        SELECT n.nspname, c.relname, c.oid
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r'
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\\_%%'
        ORDER BY n.nspname, c.relname
        """
    ).fetchall()
    sums = []
    for schema, table, oid in tables:
        keys = [
            row[0]
            for row in conn.execute(
                """
                SELECT a.attname FROM pg_index i
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                WHERE i.indrelid = %s AND i.indisprimary
                ORDER BY array_position(i.indkey::int2[], a.attnum)
                """,
                (oid,),
            ).fetchall()
        ]
        ident = sql.Identifier(schema, table)
        order: sql.Composable
        if keys:
            order = sql.SQL(", ").join(sql.Identifier("ifm_backup_row", key) for key in keys)
        else:
            order = sql.SQL('ifm_backup_row::text COLLATE "C"')
        query = sql.SQL("SELECT ifm_backup_row::text FROM {} AS ifm_backup_row ORDER BY {}").format(
            ident, order
        )
        digest = hashlib.sha256()
        count = 0
        # A server-side cursor: a large table is streamed, never held in memory.
        with conn.cursor(name=f"ifm_backup_sum_{oid}") as cursor:
            cursor.itersize = 5000
            cursor.execute(query)
            for (text,) in cursor:
                digest.update(text.encode())
                digest.update(b"\n")
                count += 1
        name = table if schema == "public" else f"{schema}.{table}"
        sums.append(TableSum(name, count, digest.hexdigest()))
    return sums


def pg_migration_state(conn: Any) -> dict[str, str]:
    exists = conn.execute("SELECT to_regclass('public.django_migrations')").fetchone()[0]
    if exists is None:
        return {}
    rows = conn.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app")
    return dict(rows.fetchall())


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"hex": value.hex()}
    return value


def sqlite_table_sums(conn: sqlite3.Connection) -> list[TableSum]:
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    sums = []
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        columns = conn.execute(f"PRAGMA table_info({quoted})").fetchall()
        keys = sorted((c for c in columns if c[5]), key=lambda c: c[5])
        if keys:
            order = ", ".join('"' + c[1].replace('"', '""') + '"' for c in keys)
        else:
            order = ", ".join(str(i + 1) for i in range(len(columns)))
        digest = hashlib.sha256()
        count = 0
        for row in conn.execute(f"SELECT * FROM {quoted} ORDER BY {order}"):  # noqa: S608
            line = json.dumps([_sqlite_value(v) for v in row], ensure_ascii=False)
            digest.update(line.encode())
            digest.update(b"\n")
            count += 1
        sums.append(TableSum(table, count, digest.hexdigest()))
    return sums


def sqlite_migration_state(conn: sqlite3.Connection) -> dict[str, str]:
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
    ).fetchone()
    if not found:
        return {}
    rows = conn.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app")
    return dict(rows.fetchall())
