"""Fixtures of the backup tests."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from psycopg import sql

from ifm.ops.backups.postgres import PgParams


@pytest.fixture
def target_url(tmp_path: Path) -> Iterator[str]:
    """An empty database beside the test database: a file, or ifm_backup14_into_* on the
    same PostgreSQL server."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    params = PgParams.from_settings(connection.settings_dict)
    name = f"ifm_backup14_into_{secrets.token_hex(3)}"
    admin = params.other_database("postgres")
    with admin.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        user = params.user or "postgres"
        yield f"postgres://{user}@{params.host or '127.0.0.1'}:{params.port or 5432}/{name}"
    finally:
        with admin.connect(autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
