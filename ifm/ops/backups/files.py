"""A backup as files: the dump (maybe encrypted) and its manifest, written and read back with
their checksums checked, so a damaged or truncated file is named before anything is restored."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ifm.ops.backups.crypto import (
    BackupCryptoError,
    decrypt_stream,
    encrypt_stream,
    is_encrypted,
    key_id,
    parse_key,
)
from ifm.ops.backups.destinations import Destination, DestinationError
from ifm.ops.backups.retention import time_of

MANIFEST_SUFFIX = ".manifest.json"
MANIFEST_FORMAT = 1
READ_SIZE = 1024 * 1024


class BackupError(Exception):
    """Anything that stops a backup, restore or verification, said plainly."""


@dataclass
class Sealed:
    path: Path
    size: int
    sha256: str
    plain_size: int
    plain_sha256: str
    key_id: str | None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(READ_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def seal(dump: Path, out: Path, key_text: str) -> Sealed:
    """`out` is `dump` encrypted (a key given) or the dump itself; with both checksums."""
    plain = hashlib.sha256()
    plain_size = 0

    def count(chunk: bytes) -> None:
        nonlocal plain_size
        plain.update(chunk)
        plain_size += len(chunk)

    if key_text:
        key = parse_key(key_text)
        with open(dump, "rb") as source, open(out, "wb") as target:
            encrypt_stream(source, target, key, count)
        kid: str | None = key_id(key)
    else:
        shutil.move(dump, out)
        with open(out, "rb") as f:
            while chunk := f.read(READ_SIZE):
                count(chunk)
        kid = None
    return Sealed(out, out.stat().st_size, sha256_of(out), plain_size, plain.hexdigest(), kid)


def complete_backups(destination: Destination) -> list[str]:
    """Base names of the backups whose manifest was written (the manifest is written last)."""
    return sorted(
        n.removesuffix(MANIFEST_SUFFIX)
        for n in destination.names()
        if n.endswith(MANIFEST_SUFFIX) and time_of(n)
    )


def load_manifest(destination: Destination, name: str, work: Path) -> dict[str, Any]:
    path = work / f"{name}{MANIFEST_SUFFIX}"
    try:
        destination.get(path.name, path)
    except DestinationError as exc:
        raise BackupError(
            f"No backup {name!r} in {destination.location}: its manifest is missing ({exc})"
        ) from exc
    try:
        manifest = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"The manifest of {name} is damaged (not JSON): {exc}") from exc
    needed = {"format", "engine", "file", "size", "sha256", "dump_sha256", "tables"}
    if not isinstance(manifest, dict) or not needed <= manifest.keys():
        raise BackupError(f"The manifest of {name} is damaged (fields missing).")
    if manifest["format"] != MANIFEST_FORMAT:
        raise BackupError(f"The manifest of {name} has format {manifest['format']!r}, not 1.")
    return manifest


def fetch_dump(
    destination: Destination, manifest: dict[str, Any], work: Path, key_text: str
) -> Path:
    """Download the dump, check it against the manifest, decrypt it: the plain dump's path."""
    return fetch_sealed(destination, manifest, work, key_text, plain_sha256=manifest["dump_sha256"])


def fetch_sealed(
    destination: Destination,
    entry: dict[str, Any],
    work: Path,
    key_text: str,
    *,
    plain_sha256: str,
) -> Path:
    """Download a sealed file (`entry`: file, size, sha256, encrypted, key_id), check it,
    decrypt it: the plain file's path."""
    manifest = entry
    stored = work / str(manifest["file"])
    try:
        destination.get(stored.name, stored)
    except DestinationError as exc:
        raise BackupError(f"The backup file {stored.name} is missing: {exc}") from exc
    size = stored.stat().st_size
    if size != manifest["size"]:
        raise BackupError(
            f"The backup file {stored.name} is damaged or truncated: {size} bytes, the manifest "
            f"says {manifest['size']}."
        )
    if sha256_of(stored) != manifest["sha256"]:
        raise BackupError(
            f"The backup file {stored.name} is damaged: its SHA-256 checksum differs from the "
            "manifest's."
        )
    if not manifest.get("encrypted"):
        return stored
    if not key_text:
        raise BackupError(
            f"The backup {stored.name} is encrypted: set BACKUP_ENCRYPTION_KEY to its key "
            f"(key id {manifest.get('key_id')})."
        )
    if not is_encrypted(stored):
        raise BackupError(f"The backup file {stored.name} should be encrypted but is not.")
    plain_path = work / f"{stored.name}.plain"
    digest = hashlib.sha256()
    try:
        key = parse_key(key_text)
        with open(stored, "rb") as source, open(plain_path, "wb") as target:
            decrypt_stream(source, target, key, digest.update)
    except BackupCryptoError as exc:
        raise BackupError(f"Cannot decrypt {stored.name}: {exc}") from exc
    stored.unlink()
    if digest.hexdigest() != plain_sha256:
        raise BackupError(f"The decrypted {stored.name} differs from the manifest's.")
    return plain_path
