"""SQLite: SQLite's online backup API, page by page under its own locking.

A plain copy of a live database file can catch a write half done (and misses what is still in
the write-ahead log); `Connection.backup` gives a consistent copy while the app keeps running.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ifm.ops.backups.checksums import TableSum, sqlite_migration_state, sqlite_table_sums


class SqliteError(Exception):
    """The file is not a sound SQLite database, or the target cannot be written."""


def dump(source: sqlite3.Connection, out: Path) -> tuple[list[TableSum], dict[str, str]]:
    """Copy the live database into `out`; the sums are read from the copy (one snapshot)."""
    target = sqlite3.connect(out)
    try:
        source.backup(target)
        # The copy keeps the source's journal mode; a single file is what is wanted here.
        target.execute("PRAGMA journal_mode=DELETE")
        return sqlite_table_sums(target), sqlite_migration_state(target)
    finally:
        target.close()


def open_checked(path: Path) -> sqlite3.Connection:
    """Open a backup file read-only after SQLite's own integrity check."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        result = conn.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise SqliteError(f"The backup is not a readable SQLite database: {exc}") from exc
    if not result or result[0] != "ok":
        conn.close()
        raise SqliteError(
            f"The backup fails SQLite's integrity check: {result[0] if result else '?'}"
        )
    return conn


def restore(backup_file: Path, target: Path) -> tuple[list[TableSum], dict[str, str]]:
    """Write the backup into `target` with the backup API; the sums are read from the target."""
    source = open_checked(backup_file)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
            return sqlite_table_sums(dest), sqlite_migration_state(dest)
        except sqlite3.DatabaseError as exc:
            raise SqliteError(f"Cannot write {target}: {exc}") from exc
        finally:
            dest.close()
    finally:
        source.close()


def is_empty(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return True
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchone()
    except sqlite3.DatabaseError:
        return False  # something is there, even if it is not a database
    finally:
        conn.close()
    return not row or row[0] == 0
