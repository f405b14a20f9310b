"""Files written inside a transaction belong to it: a file whose transaction rolls back is removed,
so a failed receipt issue or attachment upload leaves nothing orphaned on disk.

A file is written at once (so the code after it, and the rest of the transaction, can read it),
and a marker is registered with `transaction.on_commit`. When the transaction commits, the marker
runs and the file is kept. When the transaction (or the savepoint the file was written in) rolls
back, Django drops its on-commit callbacks unrun; dropping the marker unrun removes the file.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import unicodedata
import weakref
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files import File
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models.fields.files import FieldFile

from ifm.core.errors import StorageFullError, StorageUnavailableError

logger = logging.getLogger(__name__)


class _Committed:
    """The on-commit marker: run means committed. Holds no reference to the file's state."""

    __slots__ = ("__weakref__", "state")

    def __init__(self, state: dict[str, bool]) -> None:
        self.state = state

    def __call__(self) -> None:
        self.state["kept"] = True


def _remove_unless_kept(state: dict[str, bool], storage: Storage, name: str, path: str) -> None:
    if state["kept"]:
        return
    try:
        if path:
            os.remove(path)
        else:
            storage.delete(name)
    except FileNotFoundError:
        pass
    except Exception:  # a finalizer must not raise; say which file was left behind
        logger.exception("Could not remove %s after its transaction rolled back", name)


def discard_on_rollback(storage: Storage, name: str, *, using: str | None = None) -> None:
    """Remove the stored file `name` if the current transaction does not commit. Outside a
    transaction (autocommit) there is nothing to undo."""
    if not name:
        return
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        return
    # A file system path is fixed now: the storage may read its root from settings later.
    path = ""
    try:
        path = storage.path(name)
    except NotImplementedError:
        path = ""
    state = {"kept": False}
    marker = _Committed(state)
    weakref.finalize(marker, _remove_unless_kept, state, storage, name, path)
    transaction.on_commit(marker, using=using)


# A write the file system refused for want of room: disk full, quota exceeded, file too large.
_NO_ROOM = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def save_in_transaction(
    field_file: FieldFile, name: str, content: File[Any], *, field: str = "file"
) -> str:
    """Write `content` to the file field (without saving its row) and tie the file to the
    current transaction; returns the stored name. A disk with no room left raises
    StorageFullError (507, naming `field`), so the service's transaction rolls back and no row
    points to a file that is not there. Object storage that does not answer, or refuses (a
    missing bucket, wrong keys), raises StorageUnavailableError (503) the same way."""
    try:
        field_file.save(name, content, save=False)
    except (BotoCoreError, ClientError) as exc:
        logger.error("Object storage refused %s: %s", name, exc)
        raise StorageUnavailableError(
            f"{name} could not be stored: the file storage is not available. Nothing was "
            "saved. Try again in a few minutes; if it keeps happening, tell your administrator.",
            field=field,
        ) from exc
    except OSError as exc:
        if exc.errno not in _NO_ROOM:
            raise
        logger.error("No room to store %s: %s", name, exc)
        raise StorageFullError(
            f"{name} could not be stored: the server has no disk space left. Nothing was "
            "saved. Try again later; if it keeps happening, tell your administrator.",
            field=field,
        ) from exc
    stored = str(field_file.name or "")
    discard_on_rollback(field_file.storage, stored)
    return stored


# What an uploaded document (an expense receipt, a volunteer's qualification) may be,
# recognised by the first bytes of its content, never by its name or the browser's type.
DOCUMENT_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def detect_document_type(head: bytes) -> str | None:
    """The content type of a document from its first bytes, or None when it is not allowed."""
    for signature, content_type in DOCUMENT_SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def stored_document_type(handle: Any) -> str | None:
    """The type of a stored document judged again from its content; `handle` is rewound."""
    head = handle.read(8)
    handle.seek(0)
    return detect_document_type(head)


def clean_filename(name: str, default: str) -> str:
    """The last part of an uploaded file's name, without control characters, at most 255."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return (base or default)[:255]
