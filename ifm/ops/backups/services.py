"""Backups, verified restores and real restores; each backup and verification leaves a BackupRun.

`backup_create` dumps the database (PostgreSQL: pg_dump; SQLite: the online backup API), writes
the manifest (row count and checksum of every table, read from the dump's own snapshot), seals
the dump (encrypted when BACKUP_ENCRYPTION_KEY is set) and stores both, then applies the
retention policy. `backup_verify` restores a backup into a scratch database and compares every
table with the manifest. `backup_restore` restores into a given database.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

import dj_database_url
from django.conf import settings
from django.db import connection
from django.utils import timezone

from ifm.ops.backups import postgres, sqlite
from ifm.ops.backups.checksums import TableSum
from ifm.ops.backups.crypto import BackupCryptoError
from ifm.ops.backups.destinations import (
    Destination,
    DestinationError,
    destination_for,
    split_backup_path,
)
from ifm.ops.backups.files import (
    MANIFEST_FORMAT,
    MANIFEST_SUFFIX,
    BackupError,
    complete_backups,
    fetch_dump,
    fetch_sealed,
    load_manifest,
    seal,
)
from ifm.ops.backups.models import BackupRun
from ifm.ops.backups.retention import Policy, backups_to_keep, time_of
from ifm.ops.backups.stored_files import (
    ARCHIVE_SUFFIX,
    FileCheck,
    archive_files,
    check_files,
    restore_files,
)

T = TypeVar("T")
log = logging.getLogger("ifm.backups")
# What the parts raise; each is turned into a BackupError with its message.
EXPECTED_ERRORS = (
    postgres.PostgresError,
    sqlite.SqliteError,
    BackupCryptoError,
    DestinationError,
    OSError,
)
SUFFIX = {"postgresql": ".pgdump", "sqlite": ".sqlite3"}


@dataclass
class BackupResult:
    name: str
    location: str
    size: int
    manifest: dict[str, Any]
    pruned: list[str] = field(default_factory=list)


@dataclass
class TableCheck:
    name: str
    expected_rows: int | None
    actual_rows: int | None
    expected_sha256: str | None
    actual_sha256: str | None

    @property
    def ok(self) -> bool:
        return self.expected_rows == self.actual_rows and self.expected_sha256 == self.actual_sha256


@dataclass
class VerifyResult:
    name: str
    tables: list[TableCheck]
    files: list[FileCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.tables) and all(f.ok for f in self.files)

    @property
    def mismatches(self) -> list[TableCheck]:
        return [t for t in self.tables if not t.ok]

    @property
    def file_mismatches(self) -> list[FileCheck]:
        return [f for f in self.files if not f.ok]


def default_destination() -> Destination:
    return destination_for(settings.BACKUP_DESTINATION)


def _key() -> str:
    return str(getattr(settings, "BACKUP_ENCRYPTION_KEY", "") or "")


def _engine_of(vendor_or_engine: str) -> str:
    return "postgresql" if "postgres" in vendor_or_engine else "sqlite"


def _app_version() -> str:
    try:
        return metadata.version("ifm")
    except metadata.PackageNotFoundError:
        return "unknown"


@contextmanager
def _recorded(kind: str, location: str) -> Iterator[BackupRun]:
    run = BackupRun.objects.create(kind=kind, location=location)
    try:
        yield run
    except BaseException as exc:
        run.ok = False
        run.finished_at = timezone.now()
        run.message = str(exc)[:2000] or exc.__class__.__name__
        run.save(update_fields=["ok", "finished_at", "message"])
        raise
    run.ok = True if run.ok is None else run.ok
    run.finished_at = timezone.now()
    run.save()


def _plainly(func: Callable[[], T]) -> T:
    try:
        return func()
    except EXPECTED_ERRORS as exc:
        raise BackupError(str(exc)) from exc


def _unique_name(destination: Destination, when: datetime) -> str:
    base = f"ifm-{when.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    taken = {n.split(".", 1)[0] for n in destination.names()}
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name


def backup_create(
    *, destination: Destination | None = None, prune: bool = True, now: datetime | None = None
) -> BackupResult:
    destination = destination or default_destination()
    with _recorded(BackupRun.Kind.BACKUP, destination.location) as run:
        result = _plainly(lambda: _backup(destination, now or timezone.now(), run))
        run.size = result.size
        rows = sum(t["rows"] for t in result.manifest["tables"])
        run.message = f"{len(result.manifest['tables'])} tables, {rows} rows"
        run.message += f", {len(result.manifest['files'])} stored files"
        if result.manifest["files_missing"]:
            missing = result.manifest["files_missing"]
            run.message += f"; {len(missing)} stored file(s) missing: {', '.join(missing[:5])}"
        if prune:
            try:
                result.pruned = _plainly(lambda: backup_prune(destination=destination))
            except BackupError as exc:
                # The backup itself is good; old ones pile up until the next run succeeds.
                log.warning("Backup %s written, but old backups not removed: %s", result.name, exc)
                run.message += f"; old backups not removed: {exc}"
        if result.pruned:
            run.message += f"; removed {len(result.pruned)} old backup(s)"
        return result


def _backup(destination: Destination, when: datetime, run: BackupRun) -> BackupResult:
    engine = _engine_of(connection.vendor)
    name = _unique_name(destination, when)
    run.name = name
    run.save(update_fields=["name"])
    started = timezone.now()
    with tempfile.TemporaryDirectory(prefix="ifm-backup-") as tmp:
        work = Path(tmp)
        raw = work / "dump"
        if engine == "postgresql":
            params = postgres.PgParams.from_settings(connection.settings_dict)
            dumped = postgres.dump(params, raw)
            tables, migrations, server = dumped.tables, dumped.migrations, dumped.server_version
        else:
            connection.ensure_connection()
            tables, migrations = sqlite.dump(connection.connection, raw)
            server = sqlite3.sqlite_version
        key = _key()
        file_name = name + SUFFIX[engine] + (".enc" if key else "")
        sealed = seal(raw, work / file_name, key)
        files, files_missing = archive_files(work / "files.tar")
        archive_name = name + ARCHIVE_SUFFIX + (".enc" if key else "")
        archive = seal(work / "files.tar", work / archive_name, key)
        manifest = {
            "format": MANIFEST_FORMAT,
            "name": name,
            "created_at": when.astimezone(UTC).isoformat(),
            "duration_seconds": round((timezone.now() - started).total_seconds(), 3),
            "engine": engine,
            "server_version": server,
            "app_version": _app_version(),
            "migrations": migrations,
            "file": file_name,
            "size": sealed.size,
            "sha256": sealed.sha256,
            "dump_size": sealed.plain_size,
            "dump_sha256": sealed.plain_sha256,
            "encrypted": bool(key),
            "key_id": sealed.key_id,
            "tables": [t.as_dict() for t in tables],
            "files_archive": {
                "file": archive_name,
                "size": archive.size,
                "sha256": archive.sha256,
                "plain_size": archive.plain_size,
                "plain_sha256": archive.plain_sha256,
                "encrypted": bool(key),
                "key_id": archive.key_id,
            },
            "files": files,
            "files_missing": files_missing,
        }
        manifest_path = work / f"{name}{MANIFEST_SUFFIX}"
        manifest_path.write_text(json.dumps(manifest, indent=1))
        destination.put(file_name, sealed.path)
        destination.put(archive_name, archive.path)
        # Last: a backup without its manifest is unfinished, and retention removes it later.
        destination.put(manifest_path.name, manifest_path)
    return BackupResult(name, destination.location, sealed.size + archive.size, manifest)


def backup_prune(
    *, destination: Destination, now: datetime | None = None, policy: Policy | None = None
) -> list[str]:
    """Apply the retention policy; also remove unfinished backups over a day old."""
    now = now or timezone.now()
    names = destination.names()
    complete = {n.removesuffix(MANIFEST_SUFFIX) for n in names if n.endswith(MANIFEST_SUFFIX)}
    times = {n: t for n in complete if (t := time_of(n))}
    keep = backups_to_keep(times.values(), now=now, policy=policy)
    removed = []
    for base in sorted({n.split(".", 1)[0] for n in names}):
        when = time_of(base)
        if when is None:
            continue  # not ours
        unfinished = base not in complete and now - when > timedelta(days=1)
        if (base in times and times[base] not in keep) or unfinished:
            for file_name in names:
                if file_name.split(".", 1)[0] == base:
                    destination.delete(file_name)
            removed.append(base)
    return removed


def backup_resolve(text: str, *, source: str | None = None) -> tuple[Destination, str]:
    """BACKUP as the commands take it: a file path, s3://bucket/prefix/name, a bare name in
    `source` (default BACKUP_DESTINATION) or `latest`."""
    if text == "latest" or ("/" not in text and not Path(text).exists()):
        destination = destination_for(source) if source else default_destination()
        names = _plainly(lambda: complete_backups(destination))
        if text != "latest":
            return destination, text.split(".", 1)[0]
        if not names:
            raise BackupError(f"There is no backup in {destination.location}.")
        return destination, names[-1]
    return _plainly(lambda: split_backup_path(text))


def _compare(manifest: dict[str, Any], actual: list[TableSum]) -> list[TableCheck]:
    expected = {t["name"]: t for t in manifest["tables"]}
    found = {t.name: t for t in actual}
    checks = []
    for name in sorted(expected.keys() | found.keys()):
        e, a = expected.get(name), found.get(name)
        checks.append(
            TableCheck(
                name,
                e["rows"] if e else None,
                a.rows if a else None,
                e["sha256"] if e else None,
                a.sha256 if a else None,
            )
        )
    return checks


def _current_pg_params(manifest: dict[str, Any]) -> postgres.PgParams:
    if connection.vendor != "postgresql":
        raise BackupError(
            f"{manifest.get('name')} is a PostgreSQL backup: restore it with DATABASE_URL "
            "pointing at a PostgreSQL server."
        )
    return postgres.PgParams.from_settings(connection.settings_dict)


def _scratch(live: postgres.PgParams) -> Any:
    """BACKUP_VERIFY_DATABASE_URL when set (never the live database), else a new database."""
    url = str(getattr(settings, "BACKUP_VERIFY_DATABASE_URL", "") or "")
    if not url:
        return postgres.scratch_database(live)
    borrowed = postgres.PgParams.from_url(url)
    if postgres.same_database(borrowed, live):
        raise BackupError(
            "BACKUP_VERIFY_DATABASE_URL names the live database: it is emptied before each "
            "check, so it must be a database of its own."
        )
    return postgres.borrowed_database(borrowed)


def backup_verify(*, destination: Destination, name: str) -> VerifyResult:
    """Restore into a scratch database (PostgreSQL) or a temporary file (SQLite), compare."""
    with _recorded(BackupRun.Kind.VERIFY, destination.location) as run:
        run.name = name
        run.save(update_fields=["name"])
        result = _plainly(lambda: _verify(destination, name))
        if result.ok:
            run.message = f"{len(result.tables)} tables identical"
            run.message += f", {len(result.files)} stored files identical"
        else:
            run.ok = False
            parts = []
            if result.mismatches:
                names = ", ".join(t.name for t in result.mismatches[:10])
                parts.append(f"{len(result.mismatches)} table(s) differ: {names}")
            if result.file_mismatches:
                names = ", ".join(f.label for f in result.file_mismatches[:10])
                parts.append(f"{len(result.file_mismatches)} stored file(s) differ: {names}")
            run.message = "; ".join(parts)
        return result


def _verify(destination: Destination, name: str) -> VerifyResult:
    with tempfile.TemporaryDirectory(prefix="ifm-verify-") as tmp:
        work = Path(tmp)
        manifest = load_manifest(destination, name, work)
        dump = fetch_dump(destination, manifest, work, _key())
        if manifest["engine"] == "postgresql":
            params = _current_pg_params(manifest)
            postgres.check_archive(params, dump)
            with _scratch(params) as scratch:
                postgres.restore(scratch, dump)
                actual, _ = postgres.table_sums(scratch)
        else:
            actual, _ = sqlite.restore(dump, work / "scratch.sqlite3")
        archive = _fetch_files(destination, manifest, work)
        files = check_files(archive, manifest["files"]) if archive else []
    return VerifyResult(name, _compare(manifest, actual), files)


def _fetch_files(destination: Destination, manifest: dict[str, Any], work: Path) -> Path | None:
    """The backup's plain files archive; None for a backup made before files were included."""
    entry = manifest.get("files_archive")
    if not entry:
        return None
    return fetch_sealed(destination, entry, work, _key(), plain_sha256=entry["plain_sha256"])


def backup_restore(*, destination: Destination, name: str, url: str, force: bool) -> VerifyResult:
    """Restore into the database at `url`; refuses one that holds tables unless `force`."""
    return _plainly(lambda: _restore(destination, name, url, force))


def _restore(destination: Destination, name: str, url: str, force: bool) -> VerifyResult:
    try:
        target = dj_database_url.parse(url)
    except Exception as exc:  # dj_database_url raises several types for a bad URL
        raise BackupError(f"--into is not a database URL: {exc}") from exc
    target_engine = _engine_of(target["ENGINE"])
    with tempfile.TemporaryDirectory(prefix="ifm-restore-") as tmp:
        work = Path(tmp)
        manifest = load_manifest(destination, name, work)
        if manifest["engine"] != target_engine:
            raise BackupError(
                f"{name} is a {manifest['engine']} backup; it cannot be restored into "
                f"{target_engine}."
            )
        dump = fetch_dump(destination, manifest, work, _key())
        archive = _fetch_files(destination, manifest, work)
        if archive:
            bad = [f.label for f in check_files(archive, manifest["files"]) if not f.ok]
            if bad:
                raise BackupError(
                    f"{len(bad)} stored file(s) in {name} differ from its manifest "
                    f"({', '.join(bad[:5])}): nothing was restored."
                )
        if target_engine == "postgresql":
            params = postgres.PgParams.from_settings(dict(target))
            if not postgres.is_empty(params):
                if not force:
                    raise BackupError(
                        f"The database {params.dbname!r} is not empty: restoring would mix "
                        "two databases. Use --force to replace everything in it."
                    )
                postgres.clear(params)
            postgres.check_archive(params, dump)
            postgres.restore(params, dump, single_transaction=True)
            actual, _ = postgres.table_sums(params)
        else:
            path = Path(str(target["NAME"]))
            if not sqlite.is_empty(path) and not force:
                raise BackupError(f"The database {path} is not empty: use --force to replace it.")
            actual, _ = sqlite.restore(dump, path)
        files = restore_files(archive, manifest["files"], force=force) if archive else []
    return VerifyResult(name, _compare(manifest, actual), files)
