"""The stored files in a backup: every file the database names (found as `ifm storage_check`
finds them), streamed through the storage API (local disk or object storage) into one tar
archive beside the dump, each member named `ALIAS/NAME` and listed in the manifest with its size
and SHA-256. Verification reads every member back and compares; a real restore writes them
into the configured storage again."""

from __future__ import annotations

import hashlib
import logging
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import Storage, storages

from ifm.ops.backups.files import READ_SIZE, BackupError
from ifm.ops.storage_audit import references

log = logging.getLogger("ifm.backups")
ARCHIVE_SUFFIX = ".files.tar"


@dataclass
class FileCheck:
    storage: str
    name: str
    expected_size: int | None
    actual_size: int | None
    expected_sha256: str | None
    actual_sha256: str | None
    # A real restore: "restored", "present" (same checksum), "replaced", "kept" (differs).
    action: str = ""

    @property
    def ok(self) -> bool:
        return self.expected_size == self.actual_size and self.expected_sha256 == self.actual_sha256

    @property
    def label(self) -> str:
        return f"{self.storage}:{self.name}"


class _Hashing:
    """A reader that hashes and counts what passes through it."""

    def __init__(self, source: IO[bytes]):
        self.source = source
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.source.read(size)
        self.digest.update(chunk)
        self.size += len(chunk)
        return chunk


def _sha256_of(stream: IO[bytes]) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(READ_SIZE):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def archive_files(out: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Write every referenced file into the tar archive `out`: the manifest's entries, and the
    files the database names but storage lacks (`ALIAS:NAME`; the backup notes them)."""
    entries: list[dict[str, Any]] = []
    missing: list[str] = []
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        for alias, refs in sorted(references().items()):
            storage = storages[alias]
            for name in sorted({ref.name for ref in refs}):
                try:
                    size = storage.size(name)
                    source = storage.open(name, "rb")
                except FileNotFoundError as exc:
                    log.warning("Stored file %s:%s is missing, not backed up: %s", alias, name, exc)
                    missing.append(f"{alias}:{name}")
                    continue
                except Exception as exc:  # a bucket's client raises many types: one message
                    raise BackupError(f"Cannot read the stored file {alias}:{name}: {exc}") from exc
                info = tarfile.TarInfo(f"{alias}/{name}")
                info.size = size
                info.mode = 0o600
                with source:
                    reader = _Hashing(source)
                    tar.addfile(info, reader)
                sha256 = reader.digest.hexdigest()
                entries.append({"storage": alias, "name": name, "size": size, "sha256": sha256})
    return entries, missing


def check_files(archive: Path, entries: list[dict[str, Any]]) -> list[FileCheck]:
    """Every file of the manifest, read back from the archive: present, size, SHA-256."""
    checks = []
    try:
        tar = tarfile.open(archive, "r")  # noqa: SIM115  # closed by the `with` below
    except tarfile.TarError as exc:
        raise BackupError(f"The files archive of this backup is damaged: {exc}") from exc
    with tar:
        members = {m.name: m for m in tar.getmembers() if m.isfile()}
        for entry in entries:
            check = FileCheck(
                entry["storage"], entry["name"], entry["size"], None, entry["sha256"], None
            )
            member = members.pop(f"{entry['storage']}/{entry['name']}", None)
            stream = tar.extractfile(member) if member else None
            if stream is not None:
                check.actual_size, check.actual_sha256 = _sha256_of(stream)
            checks.append(check)
        for extra in sorted(members):  # in the archive, not in the manifest
            alias, _, name = extra.partition("/")
            checks.append(FileCheck(alias, name, None, members[extra].size, None, None))
    return checks


def _stored_sha256(storage: Storage, name: str) -> str | None:
    try:
        with storage.open(name, "rb") as f:
            return _sha256_of(f)[1]
    except (FileNotFoundError, OSError):
        return None


def restore_files(archive: Path, entries: list[dict[str, Any]], *, force: bool) -> list[FileCheck]:
    """Put each file back into its configured storage under its own name. A file already there
    with the same checksum is left alone; a different one is kept unless `force`."""
    checks = check_files(archive, entries)
    bad = [c.label for c in checks if not c.ok]
    if bad:
        raise BackupError(
            f"{len(bad)} stored file(s) in the backup differ from its manifest "
            f"({', '.join(bad[:5])}): no file was restored."
        )
    with tarfile.open(archive, "r") as tar:
        for check in checks:
            storage = storages[check.storage]
            present = _stored_sha256(storage, check.name)
            if present == check.expected_sha256:
                check.action = "present"
                continue
            if present is not None and not force:
                check.action = "kept"
                continue
            stream = tar.extractfile(f"{check.storage}/{check.name}")
            assert stream is not None  # check_files found it
            if present is not None:
                storage.delete(check.name)
            try:
                saved = storage.save(check.name, File(stream, name=check.name))
            except Exception as exc:  # a bucket's client raises many types: one message
                raise BackupError(f"Cannot write the stored file {check.label}: {exc}") from exc
            if saved != check.name:
                raise BackupError(
                    f"{check.label} was stored as {saved}: the storage renamed it, so the "
                    "database would not find it."
                )
            check.action = "replaced" if present is not None else "restored"
    return checks


__all__ = ["ARCHIVE_SUFFIX", "FileCheck", "archive_files", "check_files", "restore_files"]
