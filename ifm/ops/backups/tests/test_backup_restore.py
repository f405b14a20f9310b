"""`ifm backup` and `ifm restore` on the test database (SQLite, or PostgreSQL with real pg_dump
and pg_restore when DATABASE_URL says so). transactional_db: pg_dump reads committed rows."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ifm.ops.backup_status import last_backup_runs, last_backup_times
from ifm.ops.backups.crypto import generate_key
from ifm.ops.backups.destinations import LocalDirectory
from ifm.ops.backups.models import BackupRun
from ifm.ops.backups.postgres import PgParams
from ifm.ops.backups.services import backup_create, backup_verify

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def data(cast: dict[str, Any]) -> None:
    """Two organizations with their members, and a name no ASCII codec would survive."""
    cast["admin"].full_name = 'Zoë Ñandú 🌱 "quoted", tab\there'
    cast["admin"].save()


@pytest.fixture
def backups(tmp_path: Path) -> Path:
    return tmp_path / "backups"


def only_backup(folder: Path) -> tuple[Path, dict[str, Any]]:
    (manifest_path,) = folder.glob("*.manifest.json")
    manifest = json.loads(manifest_path.read_text())
    return folder / manifest["file"], manifest


def test_backup_then_verify_reports_every_table_identical(data: None, backups: Path) -> None:
    out = run("backup", "--to", str(backups))
    assert "Backup ifm-" in out
    dump, manifest = only_backup(backups)
    assert manifest["engine"] == connection.vendor
    assert manifest["sha256"]
    assert manifest["dump_sha256"]
    assert not manifest["encrypted"]
    assert manifest["migrations"]["backups"] == "0001_initial"
    tables = {t["name"]: t for t in manifest["tables"]}
    assert tables["tenancy_organization"]["rows"] == 2
    assert tables["accounts_user"]["rows"] >= 7
    assert (dump.stat().st_mode & 0o777) == 0o600

    out = run("restore", "--verify", str(dump))
    assert "Verified: all" in out
    assert "tenancy_organization" in out
    assert "DIFFERENT" not in out
    assert "MISSING" not in out
    org_line = next(line for line in out.splitlines() if line.startswith("tenancy_organization "))
    assert org_line.split()[1:] == ["2", "2", "identical"]


def test_the_runs_are_recorded(data: None, backups: Path) -> None:
    assert last_backup_times() == {"backup": None, "verify": None}
    result = backup_create(destination=LocalDirectory(backups))
    verified = backup_verify(destination=LocalDirectory(backups), name=result.name)
    assert verified.ok
    backup, verify = BackupRun.objects.order_by("pk")
    assert backup.kind == "backup"
    assert backup.ok
    assert backup.name == result.name
    assert backup.size == result.size > 0
    assert backup.location == str(backups.resolve())
    assert "tables" in backup.message
    assert backup.finished_at is not None
    assert backup.started_at <= backup.finished_at
    assert verify.kind == "verify"
    assert verify.ok
    assert "identical" in verify.message
    times = last_backup_times()
    assert times == {"backup": backup.finished_at, "verify": verify.finished_at}


def test_a_difference_is_reported_table_by_table(data: None, backups: Path) -> None:
    run("backup", "--to", str(backups))
    dump, manifest = only_backup(backups)
    # The manifest is what the restored data is compared with: make it disagree once.
    for table in manifest["tables"]:
        if table["name"] == "accounts_user":
            table["rows"] += 1
    (backups / f"{manifest['name']}.manifest.json").write_text(json.dumps(manifest))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 table\\(s\\) differ"):
        call_command("restore", "--verify", str(dump), stdout=out)
    assert any(
        line.startswith("accounts_user ") and "DIFFERENT" in line
        for line in out.getvalue().splitlines()
    )
    run_row = last_backup_runs()["verify"]
    assert run_row is not None
    assert run_row.ok is False
    assert "accounts_user" in run_row.message


def test_a_flipped_byte_is_detected(data: None, backups: Path) -> None:
    run("backup", "--to", str(backups))
    dump, _ = only_backup(backups)
    raw = bytearray(dump.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    dump.write_bytes(bytes(raw))
    with pytest.raises(CommandError, match="is damaged: its SHA-256 checksum differs"):
        run("restore", "--verify", str(dump))
    failed = BackupRun.objects.get(kind="verify")
    assert failed.ok is False
    assert "damaged" in failed.message


def test_a_truncated_backup_is_detected(data: None, backups: Path) -> None:
    run("backup", "--to", str(backups))
    dump, _ = only_backup(backups)
    dump.write_bytes(dump.read_bytes()[:-100])
    with pytest.raises(CommandError, match="damaged or truncated"):
        run("restore", "--verify", str(dump))


def test_a_missing_or_damaged_manifest_is_named(data: None, backups: Path) -> None:
    run("backup", "--to", str(backups))
    dump, manifest = only_backup(backups)
    manifest_path = backups / f"{manifest['name']}.manifest.json"
    manifest_path.write_text("{not json")
    with pytest.raises(CommandError, match=r"manifest of .* is damaged"):
        run("restore", "--verify", str(dump))
    manifest_path.unlink()
    with pytest.raises(CommandError, match="its manifest is missing"):
        run("restore", "--verify", str(dump))


def test_encrypted_round_trip_and_a_wrong_key(data: None, backups: Path, settings: Any) -> None:
    settings.BACKUP_ENCRYPTION_KEY = generate_key()
    run("backup", "--to", str(backups))
    dump, manifest = only_backup(backups)
    assert dump.name.endswith(".enc")
    assert manifest["encrypted"]
    assert manifest["key_id"]
    assert dump.read_bytes().startswith(b"IFMBK1")
    assert "Verified: all" in run("restore", "--verify", str(dump))

    settings.BACKUP_ENCRYPTION_KEY = generate_key()
    with pytest.raises(CommandError, match="encrypted with another key"):
        run("restore", "--verify", str(dump))
    settings.BACKUP_ENCRYPTION_KEY = ""
    with pytest.raises(CommandError, match="is encrypted: set BACKUP_ENCRYPTION_KEY"):
        run("restore", "--verify", str(dump))


def test_latest_and_bare_names_are_found_in_the_destination(data: None, backups: Path) -> None:
    result = backup_create(destination=LocalDirectory(backups))
    assert result.name in run("restore", "--verify", "latest", "--from", str(backups))
    assert "Verified" in run("restore", "--verify", result.name, "--from", str(backups))
    with pytest.raises(CommandError, match="no backup"):
        run("restore", "--verify", "latest", "--from", str(backups / "empty"))


# --- restore --into ---------------------------------------------------------------------------


def put_a_table_in(url: str) -> None:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.execute("CREATE TABLE keep_me (x int)")
        return
    with PgParams.from_url(url).connect(autocommit=True) as conn:
        conn.execute("CREATE TABLE keep_me (x int)")


def test_into_an_empty_database(data: None, backups: Path, target_url: str) -> None:
    run("backup", "--to", str(backups))
    dump, manifest = only_backup(backups)
    out = run("restore", str(dump), "--into", target_url, "--no-migrate")
    assert "Restored: all" in out
    names = {t["name"] for t in manifest["tables"]}
    if target_url.startswith("sqlite"):
        with sqlite3.connect(target_url.removeprefix("sqlite:///")) as conn:
            row = conn.execute("SELECT count(*) FROM tenancy_organization").fetchone()
    else:
        with PgParams.from_url(target_url).connect() as conn:
            conn.execute("SET ifm.all_orgs = 'on'")
            row = conn.execute("SELECT count(*) FROM tenancy_organization").fetchone()
    assert row == (2,)
    assert "tenancy_organization" in names


def test_into_refuses_a_database_that_is_not_empty(
    data: None, backups: Path, target_url: str
) -> None:
    run("backup", "--to", str(backups))
    dump, _ = only_backup(backups)
    put_a_table_in(target_url)
    with pytest.raises(CommandError, match=r"is not empty.*--force"):
        run("restore", str(dump), "--into", target_url, "--no-migrate")
    out = run("restore", str(dump), "--into", target_url, "--no-migrate", "--force")
    assert "Restored: all" in out
    # --force replaced everything: the stray table is gone.
    if target_url.startswith("sqlite"):
        with sqlite3.connect(target_url.removeprefix("sqlite:///")) as conn:
            found = conn.execute("SELECT name FROM sqlite_master WHERE name='keep_me'").fetchall()
    else:
        with PgParams.from_url(target_url).connect() as conn:
            found = conn.execute("SELECT to_regclass('public.keep_me')").fetchall()
            found = [row for row in found if row[0]]
    assert found == []


def test_into_refuses_another_engine(data: None, backups: Path, tmp_path: Path) -> None:
    run("backup", "--to", str(backups))
    dump, _ = only_backup(backups)
    other = (
        f"sqlite:///{tmp_path / 'x.sqlite3'}"
        if connection.vendor == "postgresql"
        else "postgres://postgres@127.0.0.1:5432/ifm_backup14_never"
    )
    with pytest.raises(CommandError, match="cannot be restored into"):
        run("restore", str(dump), "--into", other, "--no-migrate")


def test_restore_needs_verify_or_into(backups: Path) -> None:
    with pytest.raises(CommandError, match="either --verify or --into"):
        run("restore", "latest")


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgres_rows_of_every_organization_are_in_the_dump(data: None, backups: Path) -> None:
    """The owner role is subject to row-level security (FORCE): the dump must still hold both
    organizations' rows, and the scratch database is gone afterwards."""
    result = backup_create(destination=LocalDirectory(backups))
    tables = {t["name"]: t["rows"] for t in result.manifest["tables"]}
    assert tables["tenancy_membership"] >= 7
    backup_verify(destination=LocalDirectory(backups), name=result.name)
    params = PgParams.from_settings(connection.settings_dict)
    with psycopg.connect(
        dbname="postgres", host=params.host or None, user=params.user or None
    ) as c:
        left = c.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            (f"{params.dbname[:40]}_verify_%",),
        ).fetchall()
    assert left == []


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_database_set_aside_for_checks_is_used_and_emptied(
    data: None, backups: Path, target_url: str, settings: Any
) -> None:
    """Where the role may not create databases (managed PostgreSQL)."""
    put_a_table_in(target_url)
    settings.BACKUP_VERIFY_DATABASE_URL = target_url
    result = backup_create(destination=LocalDirectory(backups))
    assert backup_verify(destination=LocalDirectory(backups), name=result.name).ok
    with PgParams.from_url(target_url).connect() as conn:
        left = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert left.fetchone() == (0,)

    params = connection.settings_dict
    settings.BACKUP_VERIFY_DATABASE_URL = (
        f"postgres://{params['USER']}@{params['HOST']}:{params['PORT'] or 5432}/{params['NAME']}"
    )
    with pytest.raises(CommandError, match="names the live database"):
        run("restore", "--verify", result.name, "--from", str(backups))
